import * as df from "durable-functions";
import { getActivities } from "../src/composition-root";
import { ActivityNames } from "../src/workflow/names";
import { withActivityLog } from "./log-event";

// Every activity is the same one-liner (look the bound function up, call it), so they register in one loop
// rather than fourteen identical files; the logic lives in src/workflow/activities.ts. Each run logs one entry.
for (const name of Object.values(ActivityNames)) {
  df.app.activity(name, {
    handler: withActivityLog(name, async (input: unknown) => {
      const activities = (await getActivities()) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
      return activities[name]!(input);
    }),
  });
}
