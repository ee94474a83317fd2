import type { SweepKind, SweepListing, SweepReport } from "../ports/bookkeeping.port";
import type { DnsRegistrar } from "../ports/dns-registrar.port";
import { addTally, emptyReport, type SweepTally } from "../workflow/sweep.orchestration";
import { cleanupSweep } from "./cleanup-service";
import {
  emptyTally,
  inBatches,
  sweepGraphPage,
  sweepResource,
  type SweepActivityDeps,
  type SweepStep,
} from "./sweep-activities";

export interface DryRunDeps extends SweepActivityDeps {
  dns: DnsRegistrar;
  now: () => string;
}

/** Resources read at once in a dry run (the same bound the durable sweep keeps). */
const IN_FLIGHT = 8;

/**
 * What a sweep (and for `cleanup`, the clean-up) would do now, through the same per-connection step as the durable
 * sweep with dryRun set: nothing is started, terminated, recorded or deleted; only ARM and our tables are read.
 */
export async function dryRunSweep(
  deps: DryRunDeps,
  kind: SweepKind,
  listing: SweepListing,
  scopes: readonly string[],
): Promise<SweepReport> {
  const at = deps.now();
  const step: SweepStep = { deps, kind, at, instanceId: "dry-run", dryRun: true };
  const report = emptyReport({ kind, instanceId: "dry-run", listing, dryRun: true, scopes: scopes.length }, at);
  const attempt = async (scope: string, work: () => Promise<SweepTally>): Promise<void> => {
    try {
      addTally(report, await work());
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      report.errors.push({
        scope,
        code: typeof code === "string" ? code : "SWEEP_STEP_FAILED",
        message: (error as Error).message,
      });
    }
  };
  if (listing === "resource-graph") {
    let skipToken: string | undefined;
    do {
      let next: string | undefined;
      await attempt("resource-graph", async () => {
        const tally = await sweepGraphPage(step, scopes, skipToken);
        next = tally.skipToken;
        return tally;
      });
      skipToken = next;
    } while (skipToken);
  } else {
    const resourceIds: string[] = [];
    for (const scope of scopes) {
      await attempt(scope, async () => {
        const { value, calls } = await deps.meter.measure(() => deps.gateway.listProviderResources(scope));
        resourceIds.push(...value.map((r) => r.id));
        return { ...emptyTally(), armCalls: calls };
      });
    }
    await inBatches(resourceIds, IN_FLIGHT, (id) => attempt(id, () => sweepResource(step, id)));
  }
  if (kind === "cleanup") {
    const extras = await cleanupSweep({ ...deps, dryRun: true });
    report.cleanup = { ...extras };
  }
  report.finishedAt = deps.now();
  return report;
}
