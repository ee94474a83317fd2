import { app, type InvocationContext, type Timer } from "@azure/functions";
import { sweep } from "../src/app/sweep-service";
import { durableClientInput, sweepDeps } from "./shared";

/** Level-triggered intake (SWEEP_SCHEDULE): a review for every Pending connection that has none running. */
export async function sweepTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  await sweep(await sweepDeps(context), "review");
}

app.timer("sweep", { schedule: "%SWEEP_SCHEDULE%", extraInputs: [durableClientInput], handler: sweepTimer });
