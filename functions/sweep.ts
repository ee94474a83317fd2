import { app, type InvocationContext, type Timer } from "@azure/functions";
import { sweep } from "../src/app/sweep-service";
import { getConfig, getGateway } from "../src/composition-root";
import { durableClientInput, orchestrationClient } from "./shared";

/** Level-triggered intake (SWEEP_SCHEDULE): a review for every Pending connection that has none running. */
export async function sweepTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  await sweep(
    {
      gateway: await getGateway(),
      client: orchestrationClient(context),
      managedScopes: getConfig().managedResourceIds,
      log: (m) => context.log(m),
      now: () => new Date().toISOString(),
    },
    "review",
  );
}

app.timer("sweep", { schedule: "%SWEEP_SCHEDULE%", extraInputs: [durableClientInput], handler: sweepTimer });
