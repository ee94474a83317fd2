import type { Bookkeeping, ConnectionRecord, SweepKind, SweepReport } from "../ports/bookkeeping.port";
import type { CallMeter } from "../ports/call-meter.port";
import type { ConnectionGraph } from "../ports/connection-graph.port";
import type { ConnectionGateway, ArmConnection } from "../ports/connection-gateway.port";
import { PermanentError, TransientError } from "../ports/errors";
import type { CallOutcome } from "../workflow/bounded-calls";
import type {
  GraphPageInput,
  ListedResources,
  ListResourcesInput,
  SweepResourceInput,
  SweepTally,
} from "../workflow/sweep.orchestration";
import { addTally } from "../workflow/sweep.orchestration";
import { cleanupInstanceId, reviewInstanceId } from "./instance-ids";
import { isTerminal, type OrchestrationClient } from "./orchestration-client";
import { startCleanup, startReview } from "./review-starter";

export interface SweepActivityDeps {
  gateway: ConnectionGateway;
  /** Present when SWEEP_LISTING is resource-graph. */
  graph?: ConnectionGraph;
  bookkeeping: Bookkeeping;
  client: OrchestrationClient;
  meter: CallMeter;
  log: (message: string) => void;
}

/** One sweep's view while it handles a connection: what kind of sweep, its time, and whether it may write. */
export interface SweepStep {
  deps: SweepActivityDeps;
  kind: SweepKind;
  /** The sweep's time (audit step ids and observed times). */
  at: string;
  instanceId: string;
  /** Report what would happen; start, record and terminate nothing. */
  dryRun: boolean;
}

/** Starts per resource or page run this many at a time: a batch, not one after another, not all at once. */
const START_BATCH = 50;
const AUTOPILOT = "autopilot";

/**
 * The sweep's activities. Each answers a CallOutcome instead of throwing, so a throttled scope waits on its own
 * durable timer (Retry-After honoured) and a broken one is reported while the rest go on.
 */
export function createSweepActivities(deps: SweepActivityDeps) {
  return {
    listResources: (input: ListResourcesInput): Promise<CallOutcome<ListedResources>> =>
      outcomeOf(deps, async () => {
        const { value, calls } = await deps.meter.measure(() => deps.gateway.listProviderResources(input.scope));
        return { resourceIds: value.map((r) => r.id), armCalls: calls };
      }),

    sweepResource: (input: SweepResourceInput): Promise<CallOutcome<SweepTally>> =>
      outcomeOf(deps, () => sweepResource({ deps, ...input, dryRun: false }, input.resourceId)),

    graphPage: (input: GraphPageInput): Promise<CallOutcome<SweepTally>> =>
      outcomeOf(deps, async () => {
        const step: SweepStep = { deps, ...input, dryRun: false };
        const tally = await sweepGraphPages(step, input.scopes, input.skipToken);
        if (tally.skipToken || !input.report) return tally;
        // The listing ended here and the sweep has nothing after it: the report is saved now (see GraphPageInput).
        const report = { ...input.report, finishedAt: new Date().toISOString() };
        addTally(report, tally);
        await saveReport(deps, report);
        return { ...tally, savedAt: report.finishedAt };
      }),

    recordReport: async (report: SweepReport): Promise<null> => {
      await saveReport(deps, report);
      return null;
    },
  };
}

async function saveReport(deps: SweepActivityDeps, report: SweepReport): Promise<void> {
  await deps.bookkeeping.saveSweepReport(report);
  deps.log(
    `Sweep ${report.kind} (${report.listing}): ${report.resources} resources, ${report.connections} connections, ` +
      `${report.started} started, ${report.alreadyRunning} already running, ${report.drift} drift, ` +
      `${report.armCalls} ARM calls, ${report.retries} retried, ${report.errors.length} errors.`,
  );
}

/** One Resource Graph step walks pages for this long at most, then hands the next page back to the sweep. */
const GRAPH_STEP_BUDGET_MS = 60_000;

/**
 * Resource Graph pages from `skipToken` on, one after another, until the listing ends or the step's time budget is
 * spent: each hand-back to the orchestration queues behind the reviews the pages started. A step that runs again
 * (a crash, a retry) repeats its pages harmlessly: every start collapses on the review's instance id.
 */
export async function sweepGraphPages(
  step: SweepStep,
  scopes: readonly string[],
  skipToken: string | undefined,
  budgetMs = GRAPH_STEP_BUDGET_MS,
): Promise<SweepTally> {
  const began = Date.now();
  const total = emptyTally();
  let next = skipToken;
  do {
    const page = await sweepGraphPage(step, scopes, next);
    addTally(total, page);
    next = page.skipToken;
  } while (next && Date.now() - began < budgetMs);
  return next ? { ...total, skipToken: next } : total;
}

/** One provider resource: our rows first (so a connection created meanwhile is not taken for deleted), then ARM. */
export async function sweepResource(step: SweepStep, resourceId: string): Promise<SweepTally> {
  const rows = await step.deps.bookkeeping.listConnections({ providerResourceId: resourceId, limit: 1000 });
  const { value: connections, calls } = await step.deps.meter.measure(() =>
    step.deps.gateway.listConnections(resourceId),
  );
  const tally = emptyTally();
  tally.resources = 1;
  tally.armCalls = calls;
  const byId = new Map(rows.map((r) => [r.connectionId.toLowerCase(), r]));
  await handleConnections(step, connections, async (c) => byId.get(c.connectionId.toLowerCase()), tally);
  const listed = new Set(connections.map((c) => c.connectionId.toLowerCase()));
  for (const row of rows.filter((r) => !listed.has(r.connectionId.toLowerCase()))) {
    await noteDrift(step, row, undefined, tally);
  }
  return tally;
}

/** One Resource Graph page: its connections, judged against our rows for the resources on the page. */
export async function sweepGraphPage(
  step: SweepStep,
  scopes: readonly string[],
  skipToken: string | undefined,
): Promise<SweepTally> {
  const graph = step.deps.graph;
  if (!graph) throw new PermanentError("SWEEP_LISTING", "SWEEP_LISTING is resource-graph but no graph client is set.");
  const { value: page, calls } = await step.deps.meter.measure(() => graph.queryConnections(scopes, skipToken));
  const tally = emptyTally();
  tally.resources = page.resourceIds.length;
  tally.armCalls = calls;
  if (page.skipToken) tally.skipToken = page.skipToken;
  // Only a decided connection is compared with our row (drift), so only its row is read: one point read each,
  // where listing the rows of every resource on the page cost a query per resource.
  await handleConnections(step, page.connections, (c) => step.deps.bookkeeping.getConnection(c.connectionId), tally);
  return tally;
}

/** Our row of a listed connection, read only when the step needs it. */
type RowOf = (connection: ArmConnection) => Promise<ConnectionRecord | undefined>;

async function handleConnections(
  step: SweepStep,
  connections: readonly ArmConnection[],
  rowOf: RowOf,
  tally: SweepTally,
): Promise<void> {
  tally.connections += connections.length;
  await inBatches(connections, START_BATCH, (c) => sweepConnection(step, c, rowOf, tally));
}

/** Runs `work` over the items `size` at a time. */
export async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/**
 * The per-connection step of both sweeps (extend it here, not in the listing): the review sweep starts a review for
 * a Pending connection and records drift; the clean-up sweep starts a clean-up for a Disconnected one.
 */
export async function sweepConnection(
  step: SweepStep,
  connection: ArmConnection,
  rowOf: RowOf,
  tally: SweepTally,
): Promise<void> {
  if (step.kind === "cleanup") return cleanupStep(step, connection, tally);
  if (connection.armStatus === "Pending") return reviewStep(step, connection, tally);
  await noteDrift(step, await rowOf(connection), connection, tally);
}

async function reviewStep(step: SweepStep, c: ArmConnection, tally: SweepTally): Promise<void> {
  if (step.dryRun) return countWouldStart(step, reviewInstanceId(c.connectionId), c.connectionId, tally);
  const result = await startReview(step.deps.client, {
    connectionId: c.connectionId,
    source: "sweep",
    observedAt: step.at,
    requestedBy: "sweep",
    // The listing is the review's first read; it re-reads before writing anyway.
    observed: { at: step.at, connection: c },
  });
  count(tally, result.started, c.connectionId);
}

/** The clean-up sweep's step for one listed connection. */
export async function cleanupStep(step: SweepStep, c: ArmConnection, tally: SweepTally): Promise<void> {
  if (c.armStatus !== "Disconnected") return;
  if (step.dryRun) return countWouldStart(step, cleanupInstanceId(c.connectionId), c.connectionId, tally);
  const result = await startCleanup(step.deps.client, {
    connectionId: c.connectionId,
    reason: "The clean-up sweep found the connection Disconnected.",
    observedAt: step.at,
  });
  count(tally, result.started, c.connectionId);
}

async function countWouldStart(
  step: SweepStep,
  instanceId: string,
  connectionId: string,
  tally: SweepTally,
): Promise<void> {
  const status = await step.deps.client.getRuntimeStatus(instanceId);
  count(tally, status === undefined || isTerminal(status), connectionId);
}

function count(tally: SweepTally, started: boolean, connectionId: string): void {
  if (!started) {
    tally.alreadyRunning += 1;
    return;
  }
  tally.started += 1;
  if (tally.sample.length < 100) tally.sample.push(connectionId);
}

/** What ARM shows, in our row's words: the state a row should have for it. */
const ROW_STATE_FOR = { Approved: "approved", Rejected: "rejected" } as const;

/**
 * Drift: ARM shows a decision we did not make (approved or rejected by hand, or the connection deleted on the
 * provider side) while our row says otherwise. Recorded on the row and in the audit log, with what ARM says of it;
 * a review still waiting for a person on it is ended. A review busy with its own write is left alone (its write is
 * not drift); the next sweep looks again.
 */
async function noteDrift(
  step: SweepStep,
  row: ConnectionRecord | undefined,
  listed: ArmConnection | undefined,
  tally: SweepTally,
): Promise<void> {
  if (!row || !isDrift(row, listed)) return;
  const review = row.instanceId ?? reviewInstanceId(row.connectionId);
  const status = await step.deps.client.getStatus(review);
  const running = status !== undefined && !isTerminal(status.runtimeStatus);
  if (running && status.step !== "awaiting-approval") return;
  // The listing only says "look" (Resource Graph lags ARM by seconds to minutes): the drift is judged again, and
  // recorded, on the connection as ARM answers for it now.
  const connection = await step.deps.gateway.getConnection(row.connectionId, { withProviderResource: false });
  if (!isDrift(row, connection)) return;
  tally.drift += 1;
  if (step.dryRun) return;
  await recordDrift(step, row, connection, running ? review : undefined);
}

/** Whether ARM's connection (undefined: gone) shows a decision our row does not. */
function isDrift(row: ConnectionRecord, connection: ArmConnection | undefined): boolean {
  const armStatus = connection?.armStatus;
  const waiting = row.state === "awaiting-approval";
  const decided = row.state === "approved" || row.state === "rejected";
  if (!waiting && !decided) return false;
  if (armStatus === "Pending" || armStatus === "Disconnected" || armStatus === "Unknown") return false;
  if (armStatus && decided && ROW_STATE_FOR[armStatus] === row.state) return false;
  // An approved connection gone from the provider is the clean-up's (the consumer deleting its endpoint looks alike).
  return armStatus !== undefined || waiting;
}

async function recordDrift(
  step: SweepStep,
  row: ConnectionRecord,
  connection: ArmConnection | undefined,
  waitingReview: string | undefined,
): Promise<void> {
  const { bookkeeping, client } = step.deps;
  const what = connection ? `${connection.armStatus.toLowerCase()}` : "deleted";
  const said = connection?.description ? ` ARM's description: "${connection.description}".` : "";
  const reason = `The connection was ${what} outside the autopilot (found by the sweep at ${step.at}).${said}`;
  const state = connection ? ROW_STATE_FOR[connection.armStatus as "Approved" | "Rejected"] : "removed";
  // The row is written last: until it says so, the next sweep finds the same drift again (every step repeats safely).
  if (waitingReview) {
    await client.terminate(waitingReview, `Drift: ${reason}`);
    await bookkeeping.appendAudit({
      connectionId: row.connectionId,
      stepId: `drift:review-ended:${waitingReview}`,
      at: step.at,
      kind: "state",
      actor: AUTOPILOT,
      message: `The review ${waitingReview} waiting for approvers was ended: nobody needs to decide any more.`,
    });
  }
  await bookkeeping.appendAudit({
    connectionId: row.connectionId,
    stepId: `drift:${what}:${step.instanceId}`,
    at: step.at,
    kind: "state",
    actor: AUTOPILOT,
    message: `Drift: ${reason} Our record said ${row.state}.`,
    data: { was: row.state, now: state, ...(connection?.description ? { description: connection.description } : {}) },
  });
  if (row.tenantId && state !== "approved") await bookkeeping.releaseQuota(row.tenantId, row.connectionId);
  if (row.tenantId && state === "approved") await bookkeeping.reserveQuota(row.tenantId, row.connectionId);
  await bookkeeping.saveConnection({
    connectionId: row.connectionId,
    state,
    ...(connection ? { azureStatus: connection.armStatus } : {}),
    reason,
    decidedBy: connection?.description
      ? `outside the autopilot (${connection.description.slice(0, 100)})`
      : "outside the autopilot",
    updatedAt: step.at,
  });
}

export function emptyTally(): SweepTally {
  return { resources: 0, connections: 0, started: 0, alreadyRunning: 0, drift: 0, armCalls: 0, sample: [], errors: [] };
}

/** Throttling and busy answers become "retry" (with Retry-After), anything else "failed": never a thrown error. */
async function outcomeOf<T>(deps: SweepActivityDeps, work: () => Promise<T>): Promise<CallOutcome<T>> {
  try {
    return { kind: "done", value: await work() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof TransientError) {
      return {
        kind: "retry",
        code: error.code,
        message,
        ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
      };
    }
    const code = error instanceof PermanentError ? error.code : "SWEEP_STEP_FAILED";
    deps.log(`Sweep step failed (${code}): ${message}`);
    return { kind: "failed", code, message };
  }
}
