import { app, type InvocationContext, type Timer } from "@azure/functions";
import { cleanupSweep } from "../src/app/cleanup-service";
import { getBookkeeping, getDnsRegistrar } from "../src/composition-root";
import { durableClientInput, sweepDeps } from "./shared";

/** CLEANUP_SCHEDULE: Disconnected connections, orphaned DNS records, offboarded tenants (bounded per run). */
export async function cleanupSweepTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  await cleanupSweep({
    ...(await sweepDeps(context)),
    dns: await getDnsRegistrar(),
    bookkeeping: await getBookkeeping(),
  });
}

app.timer("cleanup-sweep", {
  schedule: "%CLEANUP_SCHEDULE%",
  extraInputs: [durableClientInput],
  handler: cleanupSweepTimer,
});
