import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpawnedDevhost } from "../../devhost";
import { SweepNames } from "../../src/workflow/names";

import { until } from "../support/until";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

const REVIEWED = ["approved", "rejected", "awaiting-approval"];
/** Enough requests that, with ARM slowed down, the sweep is still working when the host dies. */
const REQUESTS = 10;

/**
 * The devhost is killed (SIGKILL) while a sweep is listing and starting reviews; the restarted host resumes the same
 * sweep (same instance id), which ends with every unannounced request reviewed and one write per connection.
 */
describe("a sweep survives the host killed mid-run", () => {
  let stack: E2eStack;
  let restarted: SpawnedDevhost | undefined;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await restarted?.kill();
    await stack?.stop();
  });

  const sweeps = async (status: string) => {
    const res = await fetch(
      `${stack.devhost.url}/runtime/webhooks/durabletask/instances?runtimeStatus=${status}&code=${encodeURIComponent(stack.devhost.keys.durableTask)}`,
    );
    const all = (await res.json()) as { name: string; instanceId: string }[];
    return all.filter((i) => i.name === SweepNames.orchestration).map((i) => i.instanceId);
  };

  it("resumes the same sweep, reviews every request it found, writes once per connection", async () => {
    const estate = estateOf(stack);
    const unwatched = stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
    // Not the Private Link Service: it auto-approves this subscription, so there is nothing to review.
    const targets = [estate.postgres, estate.storage, estate.keyVault, estate.sql];
    const ids: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const pe = await stack.createEndpoint({
        consumer: unwatched,
        name: `sweep-kill-${i}`,
        targetResourceId: targets[i % targets.length]!.id,
      });
      ids.push(pe.connectionId);
    }
    await stack.sandboxCall("DELETE", "/_sandbox/calls");
    await stack.sandboxCall("POST", "/_sandbox/faults", { latencyMs: 400, seed: 14 });

    await stack.fireTimer("sweep");
    const [killed] = await until(async () => {
      const running = await sweeps("Running");
      return running.length > 0 ? running : undefined;
    }, "the sweep to be running");
    // Not finished yet: otherwise the kill proves nothing.
    expect((await stack.api("GET", "/sweeps/latest")).status).toBe(404);
    const child = stack.devhost.child!;
    await child.kill("SIGKILL");
    await stack.sandboxCall("DELETE", "/_sandbox/faults");
    restarted = await child.restart({ port: child.port });

    const report = await until(
      async () => {
        const res = await stack.api("GET", "/sweeps/latest");
        return res.status === 200 ? res.body : undefined;
      },
      "the resumed sweep's report",
      120_000,
    );
    expect(report).toMatchObject({ instanceId: killed, errors: [] });
    // Each resource's call was scheduled once: none was sent again inside a later compound (durable-js issue 574).
    const history = await fetch(
      `${stack.devhost.url}/runtime/webhooks/durabletask/instances/${encodeURIComponent(killed!)}?showHistory=true&code=${encodeURIComponent(stack.devhost.keys.durableTask)}`,
    );
    const events = ((await history.json()) as { historyEvents: { EventType: string; FunctionName?: string }[] })
      .historyEvents;
    const scheduled = events.filter(
      (e) => e.EventType === "TaskScheduled" && e.FunctionName === SweepNames.sweepResource,
    );
    expect(scheduled).toHaveLength(report.resources);
    expect(report.started + report.alreadyRunning).toBeGreaterThanOrEqual(REQUESTS);
    expect(await sweeps("Running,Pending")).toEqual([]);
    for (const id of ids) {
      const row = await stack.waitForConnection(id, REVIEWED, 60_000);
      expect(row.source).toBe("sweep");
    }
    await stack.sandbox.eventsIdle();
    const { calls } = (await stack.calls()) as { calls: { method: string; path: string; status: number }[] };
    const writes = calls.filter((c) => c.status < 300 && (c.method === "PUT" || c.method === "DELETE"));
    const perConnection = new Map<string, number>();
    for (const c of writes) {
      const path = c.path.toLowerCase().split("?")[0]!;
      if (path.includes("/privateendpointconnections/")) perConnection.set(path, (perConnection.get(path) ?? 0) + 1);
    }
    expect(writes.filter((c) => c.method === "DELETE")).toEqual([]);
    expect([...perConnection.values()].filter((n) => n > 1)).toEqual([]);
    expect([...perConnection.keys()].every((p) => ids.some((id) => id.toLowerCase() === p))).toBe(true);
  }, 240_000);
});
