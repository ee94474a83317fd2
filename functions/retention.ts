import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { startOnce } from "../src/app/review-starter";
import { getConfig } from "../src/composition-root";
import { retentionOrchestration } from "../src/workflow/retention.orchestration";
import { OrchestrationNames } from "../src/workflow/names";
import { durableClientInput, orchestrationClient } from "./shared";

/** Deletions per run: the rest is found by the next run. */
const RETENTION_LIMIT = 100;

/**
 * On the clean-up's schedule, when RETENTION_PERIOD is set: one retention orchestration per tick (its id names the
 * minute, so a tick delivered twice starts it once). The orchestration judges age by its own clock.
 */
export async function retentionSweepTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const retention = getConfig().retentionPeriod;
  if (!retention) return;
  const tick = new Date().toISOString().slice(0, 16);
  const started = await startOnce(
    orchestrationClient(context),
    OrchestrationNames.retentionSweep,
    `retention:${tick}`,
    {
      retention,
      limit: RETENTION_LIMIT,
    },
  );
  context.log(`Retention ${retention}: ${started.outcome} ${started.instanceId}.`);
}

df.app.orchestration(OrchestrationNames.retentionSweep, function* (context) {
  return yield* retentionOrchestration(context);
});

app.timer("retention", {
  schedule: "%CLEANUP_SCHEDULE%",
  extraInputs: [durableClientInput],
  handler: retentionSweepTimer,
});
