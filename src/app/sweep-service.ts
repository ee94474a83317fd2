import type { ConnectionGateway } from "../ports/connection-gateway.port";
import type { OrchestrationClient } from "./orchestration-client";
import { startCleanup, startReview } from "./review-starter";

export interface SweepDeps {
  gateway: ConnectionGateway;
  client: OrchestrationClient;
  managedScopes: readonly string[];
  log: (message: string) => void;
  now: () => string;
}

export interface SweepReport {
  resources: number;
  connections: number;
  started: string[];
  alreadyRunning: number;
  errors: { scope: string; message: string }[];
}

/**
 * Level-triggered intake: every Pending connection of every managed resource gets a review unless one runs
 * (the start rules make overlapping sweeps harmless). With `cleanup`, Disconnected connections get a clean-up.
 */
export async function sweep(deps: SweepDeps, mode: "review" | "cleanup"): Promise<SweepReport> {
  const report: SweepReport = { resources: 0, connections: 0, started: [], alreadyRunning: 0, errors: [] };
  for (const scope of deps.managedScopes) {
    try {
      for (const resource of await deps.gateway.listProviderResources(scope)) {
        report.resources += 1;
        for (const c of await deps.gateway.listConnections(resource.id)) {
          report.connections += 1;
          const wanted = mode === "review" ? c.status === "Pending" : c.status === "Disconnected";
          if (!wanted) continue;
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
      }
    } catch (error) {
      // One unreadable scope must not stop the others.
      report.errors.push({ scope, message: (error as Error).message });
      deps.log(`Sweep of ${scope} failed: ${(error as Error).message}`);
    }
  }
  deps.log(
    `Sweep (${mode}): ${report.resources} resources, ${report.connections} connections, ${report.started.length} started, ${report.alreadyRunning} already running, ${report.errors.length} errors.`,
  );
  return report;
}
