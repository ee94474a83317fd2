import * as df from "durable-functions";
import { getActivities } from "../src/composition-root";
import type { ActivityInput } from "../src/workflow/contracts";
import { ActivityNames, type ActivityName } from "../src/workflow/names";
import { withActivityLog } from "./log-event";

/**
 * Every activity is the same one-liner (look the bound function up, call it), so they register in one loop rather
 * than sixteen identical files; the logic lives in the src/workflow/*.activities.ts modules. The input is what
 * the orchestration sent through callActivity, which the same contract types.
 */
function register<N extends ActivityName>(name: N): void {
  df.app.activity(name, {
    handler: withActivityLog(name, async (input: ActivityInput<N>) => (await getActivities())[name](input)),
  });
}

for (const name of Object.values(ActivityNames)) register(name);
