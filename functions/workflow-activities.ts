import * as df from "durable-functions";
import { getActivities } from "../src/composition-root";
import { ActivityNames } from "../src/workflow/names";

// Every activity is the same one-liner (look the bound function up, call it), so they register in one loop
// rather than fourteen identical files; the logic lives in src/workflow/activities.ts.
for (const name of Object.values(ActivityNames)) {
  df.app.activity(name, {
    handler: async (input: unknown) => {
      const activities = (await getActivities()) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
      return activities[name]!(input);
    },
  });
}
