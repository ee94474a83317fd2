import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpawnedDevhost } from "../../devhost";
import { OrchestrationNames } from "../../src/workflow/names";
import { estateOf, startE2eStack, type E2eStack } from "../e2e/e2e-stack";
import { until } from "../support/until";
import { CATEGORIES, caseCount, RESILIENCE_SEED, Tally } from "./tally";

/**
 * Real requests under an unlucky world: every event delivered 5 times, ARM answering 429/5xx with and without
 * Retry-After, and the devhost killed with SIGKILL mid-review. Judged from ARM, not from the app: every successful
 * approve/reject write must hit a connection we created while it was Pending (one write per connection), nothing is
 * deleted, and every Pending connection ends reviewed (a record past `received`).
 */
const tally = new Tally("disruption", [
  CATEGORIES.fiveXx,
  CATEGORIES.crashes,
  CATEGORIES.unjustifiedApprovals,
  CATEGORIES.unjustifiedDeletes,
  CATEGORIES.lostConnections,
]);

const REVIEWED = ["approved", "rejected", "awaiting-approval"];
const PER_PHASE = caseCount(3, 12);

let stack: E2eStack;
let restarted: SpawnedDevhost | undefined;

beforeAll(async () => {
  stack = await startE2eStack({ deliverEachEventTimes: 5 });
}, 120_000);
afterAll(async () => {
  tally.print();
  await restarted?.kill();
  await stack?.stop();
});

interface CallEntry {
  method: string;
  path: string;
  status: number;
}

/** The consumer endpoints a phase creates: a spread of targets, so policy approves, rejects and asks a person. */
async function createEndpoints(phase: string): Promise<string[]> {
  const estate = estateOf(stack);
  const targets = [estate.postgres, estate.storage, estate.keyVault, estate.sql, estate.pls];
  const ids: string[] = [];
  for (let i = 0; i < PER_PHASE; i++) {
    const target = targets[(i + RESILIENCE_SEED) % targets.length]!;
    const created = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: `${phase}-${i}`,
      targetResourceId: target.id,
    });
    ids.push(created.connectionId);
  }
  return ids;
}

/**
 * Waits for each connection to be reviewed. All were created Pending and only a review changes that, so one that is
 * not reviewed is a Pending connection nobody looked at: lost.
 */
async function judgeReviewed(phase: string, connectionIds: string[], sweepAgain = false): Promise<void> {
  const lost = (id: string, err: unknown): void =>
    tally.add(CATEGORIES.lostConnections, `${phase}: ${id}: ${err instanceof Error ? err.message : String(err)}`);
  const late: string[] = [];
  for (const id of connectionIds) {
    tally.cases++;
    await stack.waitForConnection(id, REVIEWED, 60_000).catch((err: unknown) => {
      if (sweepAgain) late.push(id);
      else lost(id, err);
    });
  }
  if (late.length === 0) return;
  // The promise is "reviewed within two sweep intervals": one more sweep for what still waits, then judge.
  await fireTimer("sweep");
  for (const id of late) await stack.waitForConnection(id, REVIEWED, 60_000).catch((err: unknown) => lost(id, err));
}

/** Judges the phase's ARM writes against what it created (all Pending at creation); resets the call log. */
async function judgeWrites(phase: string, connectionIds: string[]): Promise<void> {
  const { calls } = (await stack.calls()) as { calls: CallEntry[] };
  const ours = new Set(connectionIds.map((id) => id.toLowerCase()));
  const writes = new Map<string, number>();
  for (const c of calls) {
    if (c.status >= 300) continue;
    const path = c.path.toLowerCase().split("?")[0]!;
    if (c.method === "DELETE") tally.add(CATEGORIES.unjustifiedDeletes, `${phase}: DELETE ${c.path}`);
    if (c.method !== "PUT" || !path.includes("/privateendpointconnections/")) continue;
    if (!ours.has(path))
      tally.add(CATEGORIES.unjustifiedApprovals, `${phase}: write to a connection never created: ${c.path}`);
    writes.set(path, (writes.get(path) ?? 0) + 1);
  }
  for (const [path, n] of writes) {
    // A second write finds the connection already decided: ARM no longer showed it Pending.
    if (n > 1) tally.add(CATEGORIES.unjustifiedApprovals, `${phase}: ${n} writes to ${path}`, n - 1);
  }
  await stack.sandboxCall("DELETE", "/_sandbox/calls");
}

/** Review instances not yet finished, through the durable API (system key). */
async function reviewsRunning(): Promise<number> {
  const res = await fetch(`${stack.devhost.url}/runtime/webhooks/durabletask/instances?runtimeStatus=Pending,Running`, {
    headers: { "x-functions-key": stack.devhost.keys.durableTask },
  });
  const instances = (await res.json()) as { name: string }[];
  return instances.filter((i) => i.name === OrchestrationNames.connectionReview).length;
}

/** Fires a timer through the admin API (master key), as an operator would after an outage. */
async function fireTimer(name: string): Promise<void> {
  tally.cases++;
  const res = await fetch(`${stack.devhost.url}/admin/functions/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": stack.devhost.keys.master },
    body: '{"input":""}',
  });
  if (res.status >= 500) tally.add(CATEGORIES.fiveXx, `admin ${name}: ${res.status}`);
}

describe("disruption", () => {
  it("5 deliveries of every real event: one review and one write per connection", async () => {
    await stack.sandboxCall("DELETE", "/_sandbox/calls");
    const ids = await createEndpoints("dup");
    await judgeReviewed("duplicates", ids);
    await stack.sandbox.eventsIdle();
    await judgeWrites("duplicates", ids);
  }, 300_000);

  for (const retryAfter of [true, false]) {
    const phase = retryAfter ? "faults-retry-after" : "faults-bare";
    it(`ARM 429/5xx ${retryAfter ? "with" : "without"} Retry-After: nothing approved twice, nothing lost after a sweep`, async () => {
      await stack.sandboxCall("DELETE", "/_sandbox/calls");
      const faults = await stack.sandboxCall("POST", "/_sandbox/faults", {
        rate429: 0.2,
        rate5xx: 0.1,
        seed: RESILIENCE_SEED,
        ...(retryAfter ? { retryAfterSeconds: 1 } : {}),
      });
      expect(faults.status).toBeLessThan(300);
      const ids = await createEndpoints(retryAfter ? "fra" : "fbare");
      await stack.sandbox.eventsIdle();
      // Let intake and reviews run into the faults (each ends reviewed or failed, or is still retrying).
      for (const id of ids) await stack.waitForConnection(id, [...REVIEWED, "failed"], 20_000).catch(() => undefined);
      await stack.sandboxCall("DELETE", "/_sandbox/faults");
      // The sweep is the safety net for whatever intake gave up on during the faults.
      await fireTimer("sweep");
      await judgeReviewed(phase, ids, true);
      // The phase proves something only if ARM did fail calls.
      const { calls } = (await stack.calls()) as { calls: CallEntry[] };
      expect(calls.filter((c) => c.status === 429 || c.status >= 500).length).toBeGreaterThan(0);
      await judgeWrites(phase, ids);
    }, 300_000);
  }

  it("SIGKILL of the devhost mid-review: the restarted host finishes every review, writes once", async () => {
    await stack.sandboxCall("DELETE", "/_sandbox/calls");
    const child = stack.devhost.child!;
    // Slow ARM down so reviews are still running when the host dies.
    await stack.sandboxCall("POST", "/_sandbox/faults", { latencyMs: 300, seed: RESILIENCE_SEED });
    const ids = await createEndpoints("kill");
    const running = await until(async () => ((await reviewsRunning()) > 0 ? true : undefined), "a review in flight");
    expect(running).toBe(true);
    await child.kill("SIGKILL");
    tally.cases++;
    await stack.sandboxCall("DELETE", "/_sandbox/faults");
    // Same port and keys: Event Grid's retries and the stack's URLs reach the new host.
    restarted = await child.restart({ port: child.port });
    await fireTimer("sweep");
    await judgeReviewed("sigkill", ids);
    await stack.sandbox.eventsIdle();
    await judgeWrites("sigkill", ids);
  }, 300_000);

  it("counts nothing", () => {
    expect(tally.findings()).toBe("");
  });
});
