import { app } from "@azure/functions";
import { durableClientInput } from "./shared";
import { sweepTimerFor } from "./sweep";

/** CLEANUP_SCHEDULE: Disconnected connections, orphaned DNS records, offboarded tenants, as one durable sweep. */
export const cleanupSweepTimer = sweepTimerFor("cleanup");

app.timer("cleanup-sweep", {
  schedule: "%CLEANUP_SCHEDULE%",
  extraInputs: [durableClientInput],
  handler: cleanupSweepTimer,
});
