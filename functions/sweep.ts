import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { cleanupSweep } from "../src/app/cleanup-service";
import { startSweep } from "../src/app/review-starter";
import { createSweepActivities } from "../src/app/sweep-activities";
import { getBookkeeping, getConfig, getDnsRegistrar, getGateway } from "../src/composition-root";
import type { SweepKind } from "../src/ports/bookkeeping.port";
import { SweepNames } from "../src/workflow/names";
import { sweepOrchestration } from "../src/workflow/sweep.orchestration";
import { withActivityLog } from "./log-event";
import { durableClientInput, orchestrationClient, sweepPorts } from "./shared";

/**
 * Level-triggered intake (SWEEP_SCHEDULE) and the clean-up (CLEANUP_SCHEDULE): each tick starts one durable sweep
 * (instance id from the tick), which lists the estate with bounded ARM calls in flight and starts reviews or
 * clean-ups in batches.
 */
export function sweepTimerFor(kind: SweepKind) {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const cfg = getConfig();
    const result = await startSweep(
      orchestrationClient(context),
      { kind, listing: cfg.sweepListing, scopes: cfg.managedResourceIds },
      tickOf(timer),
    );
    context.log(`Sweep ${kind}: ${result.instanceId} ${result.outcome}.`);
  };
}

/** When the host fired this occurrence (its schedule status), so both firings of one occurrence name one sweep. */
function tickOf(timer: Timer | undefined): Date {
  const stamp = Date.parse(timer?.scheduleStatus?.lastUpdated ?? "");
  return Number.isFinite(stamp) ? new Date(stamp) : new Date();
}

export const sweepTimer = sweepTimerFor("review");

app.timer("sweep", { schedule: "%SWEEP_SCHEDULE%", extraInputs: [durableClientInput], handler: sweepTimer });

df.app.orchestration(SweepNames.orchestration, function* (context) {
  return yield* sweepOrchestration(context);
});

/** The sweep's activities, bound to the ports and to this invocation's durable client (they start reviews). */
async function activitiesFor(context: InvocationContext) {
  return createSweepActivities(await sweepPorts(context));
}

type SweepActivities = Awaited<ReturnType<typeof activitiesFor>>;

const ACTIVITIES: [string, keyof SweepActivities][] = [
  [SweepNames.listResources, "listResources"],
  [SweepNames.sweepResource, "sweepResource"],
  [SweepNames.graphPage, "graphPage"],
  [SweepNames.recordReport, "recordReport"],
];

for (const [name, key] of ACTIVITIES) {
  df.app.activity(name, {
    extraInputs: [durableClientInput],
    handler: (input: unknown, context: InvocationContext) =>
      withActivityLog(name, async (i) => {
        const run = (await activitiesFor(context))[key] as (input: unknown) => Promise<unknown>;
        return run(i);
      })(input, context),
  });
}

/** Orphaned DNS records and offboarded tenants, bounded per run, after the Disconnected pass. */
df.app.activity(SweepNames.cleanupExtras, {
  extraInputs: [durableClientInput],
  handler: (input: unknown, context: InvocationContext) =>
    withActivityLog(SweepNames.cleanupExtras, async (i) => {
      const { at } = i as { at: string };
      return cleanupSweep({
        gateway: await getGateway(),
        dns: await getDnsRegistrar(),
        bookkeeping: await getBookkeeping(),
        log: (m) => context.log(m),
        now: () => at,
      });
    })(input, context),
});
