import * as df from "durable-functions";
import { getStaleActivities } from "../src/composition-root";
import { StaleActivityNames } from "../src/workflow/names";
import { withActivityLog } from "./log-event";

// The stale-connection steps register like the review's: each looks its bound function up and calls it.
for (const name of Object.values(StaleActivityNames)) {
  df.app.activity(name, {
    handler: withActivityLog(name, async (input: unknown) => {
      const activities = (await getStaleActivities()) as unknown as Record<
        string,
        (input: unknown) => Promise<unknown>
      >;
      return activities[name]!(input);
    }),
  });
}
