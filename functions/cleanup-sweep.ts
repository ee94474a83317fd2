import { app, type InvocationContext, type Timer } from "@azure/functions";
import { sweep } from "../src/app/sweep-service";
import { getConfig, getGateway } from "../src/composition-root";
import { durableClientInput, orchestrationClient } from "./shared";

/** CLEANUP_SCHEDULE: a clean-up for every Disconnected connection (events can be missed). */
export async function cleanupSweepTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  await sweep(
    {
      gateway: await getGateway(),
      client: orchestrationClient(context),
      managedScopes: getConfig().managedResourceIds,
      log: (m) => context.log(m),
      now: () => new Date().toISOString(),
    },
    "cleanup",
  );
}

app.timer("cleanup-sweep", {
  schedule: "%CLEANUP_SCHEDULE%",
  extraInputs: [durableClientInput],
  handler: cleanupSweepTimer,
});
