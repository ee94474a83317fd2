import type { ConnectionGateway, ArmConnection } from "../ports/connection-gateway.port";
import { TransientError } from "../ports/errors";
import type { OrchestrationClient } from "./orchestration-client";
import { startCleanup, startReview } from "./review-starter";

export interface SweepDeps {
  gateway: ConnectionGateway;
  client: OrchestrationClient;
  managedScopes: readonly string[];
  log: (message: string) => void;
  now: () => string;
  /** Waits between tries of a throttled or failing read (tests pass a no-op; the timer run waits for real). */
  pause?: (ms: number) => Promise<void>;
}

/** Pauses before the 2nd, 3rd and 4th try of a read that got 429/5xx (after the ARM client's own retries). */
export const SWEEP_RETRY_DELAYS_MS: readonly number[] = [2_000, 8_000, 30_000];

export interface SweepReport {
  resources: number;
  connections: number;
  started: string[];
  alreadyRunning: number;
  /** What could not be read even after the retries: found again by the next run. */
  errors: { scope: string; message: string }[];
  /** Reads that failed transiently and were tried again. */
  retries: number;
}

/**
 * Level-triggered intake: every Pending connection of every managed resource gets a review unless one runs
 * (the start rules make overlapping sweeps harmless). With `cleanup`, Disconnected connections get a clean-up.
 * Each read is retried with back-off on 429/5xx; one unreadable scope or resource never stops the others.
 */
export async function sweep(deps: SweepDeps, mode: "review" | "cleanup"): Promise<SweepReport> {
  const report: SweepReport = { resources: 0, connections: 0, started: [], alreadyRunning: 0, errors: [], retries: 0 };
  const pause = deps.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const read = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const delay = SWEEP_RETRY_DELAYS_MS[attempt];
        if (error instanceof TransientError && delay !== undefined) {
          report.retries += 1;
          await pause(delay);
          continue;
        }
        report.errors.push({ scope: what, message: (error as Error).message });
        deps.log(`Sweep could not read ${what}: ${(error as Error).message}`);
        return undefined;
      }
    }
  };
  for (const scope of deps.managedScopes) {
    for (const resource of (await read(scope, () => deps.gateway.listProviderResources(scope))) ?? []) {
      report.resources += 1;
      for (const c of (await read(resource.id, () => deps.gateway.listConnections(resource.id))) ?? []) {
        report.connections += 1;
        await startFor(deps, mode, c, report);
      }
    }
  }
  deps.log(
    `Sweep (${mode}): ${report.resources} resources, ${report.connections} connections, ${report.started.length} started, ` +
      `${report.alreadyRunning} already running, ${report.retries} reads retried, ${report.errors.length} not readable` +
      (report.errors.length ? ` (${report.errors.map((e) => e.scope).join(", ")}); the next run tries again.` : "."),
  );
  return report;
}

async function startFor(
  deps: SweepDeps,
  mode: "review" | "cleanup",
  c: ArmConnection,
  report: SweepReport,
): Promise<void> {
  const wanted = mode === "review" ? c.armStatus === "Pending" : c.armStatus === "Disconnected";
  if (!wanted) return;
  const result =
    mode === "review"
      ? await startReview(deps.client, {
          connectionId: c.connectionId,
          source: "sweep",
          observedAt: deps.now(),
          requestedBy: "sweep",
          // The listing is the review's first read; it re-reads before writing anyway.
          observed: { at: deps.now(), connection: c },
        })
      : await startCleanup(deps.client, {
          connectionId: c.connectionId,
          reason: "The clean-up sweep found the connection Disconnected.",
          observedAt: deps.now(),
        });
  if (result.started) report.started.push(result.instanceId);
  else report.alreadyRunning += 1;
}
