import { describe, expect, it } from "vitest";
import { createSweepActivities, sweepGraphPages } from "../../../src/app/sweep-activities";
import { reviewInstanceId } from "../../../src/app/instance-ids";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { NO_CALL_METER } from "../../../src/ports/call-meter.port";
import { InMemoryConnectionGateway } from "../../../src/ports/connection-gateway.in-memory";
import { PermanentError, TransientError } from "../../../src/ports/errors";
import { OrchestrationNames, SweepNames } from "../../../src/workflow/names";
import { emptyReport, sweepOrchestration, type SweepRunInput } from "../../../src/workflow/sweep.orchestration";
import { aConnectionId, anArmConnection, aPrivateLinkServiceId, PROVIDER_SUB } from "../../support/builders";
import { FakeOrchestrationClient } from "../../support/fake-orchestration-client";
import { runOnDurableSdk } from "../../support/durable-sdk-host";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";

const scope = `/subscriptions/${PROVIDER_SUB}/resourceGroups/provider-rg`;
const PLS = "Microsoft.Network/privateLinkServices";

/** `resources` Private Link Services with `perResource` Pending connections each. */
function estate(resources: number, perResource: number) {
  const gateway = new InMemoryConnectionGateway();
  for (let r = 0; r < resources; r++) {
    const resource = aPrivateLinkServiceId(`pls-${r}`);
    gateway.resources.push({ id: resource, type: PLS });
    for (let c = 0; c < perResource; c++) {
      gateway.addConnection(anArmConnection({ connectionId: aConnectionId({ resource: `pls-${r}`, name: `c${c}` }) }));
    }
  }
  return { gateway, bookkeeping: new InMemoryBookkeeping(), client: new FakeOrchestrationClient() };
}

type Estate = ReturnType<typeof estate>;

function options(e: Estate, input: Partial<SweepRunInput> = {}, twice = false): DriverOptions {
  const activities = createSweepActivities({ ...e, meter: NO_CALL_METER, log: () => undefined });
  return {
    instanceId: "sweep-review-20260101T0900",
    input: { kind: "review", listing: "per-resource", scopes: [scope], ...input } satisfies SweepRunInput,
    runActivitiesTwice: twice,
    activities: {
      [SweepNames.listResources]: activities.listResources,
      [SweepNames.sweepResource]: activities.sweepResource,
      [SweepNames.graphPage]: activities.graphPage,
      [SweepNames.recordReport]: activities.recordReport,
    },
  };
}

describe("the sweep orchestration", () => {
  it("starts a review for every Pending connection, records the report, and replays deterministically", async () => {
    const e = estate(3, 2);
    const opts = options(e);
    const result = await runOrchestration(sweepOrchestration, opts);
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ resources: 3, connections: 6, started: 6, alreadyRunning: 0, errors: [] });
    expect(new Set(e.client.starts.map((s) => s.name))).toEqual(new Set([OrchestrationNames.connectionReview]));
    expect(await e.bookkeeping.getSweepReport("review")).toMatchObject({ started: 6, instanceId: opts.instanceId });
    expect(replay(sweepOrchestration, opts, result.history)).toEqual(result.output);
  });

  it("keeps at most maxInFlight calls in flight", async () => {
    const e = estate(12, 1);
    const calls = { maxInFlight: 3, maxAttempts: 3, firstBackoffMs: 1_000, maxBackoffMs: 10_000 };
    const result = await runOrchestration(sweepOrchestration, options(e, { calls }));
    const waits = result.history.filter((h) => h.signature.startsWith("all:"));
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) expect(w.signature.split("activity:").length - 1).toBeLessThanOrEqual(3);
    expect(result.output?.started).toBe(12);
  });

  it("waits out a throttled resource's Retry-After on a durable timer without holding back the others", async () => {
    const e = estate(4, 1);
    e.gateway.failNext("listConnections", new TransientError("ARM_THROTTLED", "429", 45_000));
    const result = await runOrchestration(sweepOrchestration, options(e));
    expect(result.output).toMatchObject({ started: 4, retries: 1, errors: [] });
    expect(result.timersCreated).toHaveLength(1);
    // The retry of the first resource comes after every other resource was swept.
    const swept = result.activityCalls.filter((c) => c.name === SweepNames.sweepResource).map((c) => c.input);
    expect(swept.map((i) => (i as { resourceId: string }).resourceId)).toEqual([
      aPrivateLinkServiceId("pls-0"),
      aPrivateLinkServiceId("pls-1"),
      aPrivateLinkServiceId("pls-2"),
      aPrivateLinkServiceId("pls-3"),
      aPrivateLinkServiceId("pls-0"),
    ]);
    expect(result.timersCreated[0]!.getTime() - Date.parse(result.output!.startedAt)).toBeGreaterThanOrEqual(45_000);
  });

  it("reports a resource that stays unreadable and sweeps the rest", async () => {
    const e = estate(3, 1);
    e.gateway.failNext("listConnections", new PermanentError("ARM_FORBIDDEN", "403 on pls-0"));
    const result = await runOrchestration(sweepOrchestration, options(e));
    expect(result.output).toMatchObject({ started: 2 });
    expect(result.output?.errors).toEqual([
      { scope: aPrivateLinkServiceId("pls-0"), code: "ARM_FORBIDDEN", message: "403 on pls-0" },
    ]);
  });

  it("a second sweep (or a replayed activity) starts nothing new", async () => {
    const e = estate(2, 2);
    await runOrchestration(sweepOrchestration, options(e, {}, true));
    const starts = e.client.starts.length;
    const second = await runOrchestration(sweepOrchestration, options(e));
    expect(starts).toBe(4);
    expect(e.client.starts).toHaveLength(starts);
    expect(second.output).toMatchObject({ started: 0, alreadyRunning: 4 });
  });
});

/**
 * On durable-functions' own replay engine, with actions numbered as the Durable extension numbers them (every leaf of
 * every compound it is sent): a call yielded in two compounds would be scheduled twice and its result matched to
 * the wrong task (azure-functions-durable-js issue 574); a sweep resumed after a crash then stopped half done.
 */
describe("the sweep on the durable-functions replay engine", () => {
  const calls = { maxInFlight: 3, maxAttempts: 3, firstBackoffMs: 1_000, maxBackoffMs: 10_000 };
  const onSdk = (e: Estate) => {
    const opts = options(e, { calls });
    return runOnDurableSdk(sweepOrchestration, {
      instanceId: opts.instanceId,
      input: opts.input,
      start: new Date("2026-01-01T09:00:00Z"),
      activities: opts.activities,
    });
  };

  it("schedules each resource's call exactly once", async () => {
    const e = estate(10, 1);
    const result = await onSdk(e);
    expect(result.activityNames.filter((n) => n === SweepNames.sweepResource)).toHaveLength(10);
    expect(result.output).toMatchObject({ resources: 10, started: 10, errors: [] });
    expect(e.client.starts).toHaveLength(10);
  });

  it("schedules a throttled resource once more, after its back-off, and nothing else twice", async () => {
    const e = estate(7, 1);
    e.gateway.failNext("listConnections", new TransientError("ARM_THROTTLED", "429", 5_000));
    const result = await onSdk(e);
    expect(result.activityNames.filter((n) => n === SweepNames.sweepResource)).toHaveLength(8);
    expect(result.output).toMatchObject({ resources: 7, started: 7, retries: 1, errors: [] });
  });
});

describe("drift", () => {
  async function awaiting(e: Estate, connectionId: string) {
    await e.bookkeeping.saveConnection({
      connectionId,
      state: "awaiting-approval",
      providerResourceId: aPrivateLinkServiceId("pls-0"),
      updatedAt: "2026-01-01T08:00:00.000Z",
    });
    e.client.instances.set(reviewInstanceId(connectionId), "Running");
    e.client.steps.set(reviewInstanceId(connectionId), "awaiting-approval");
  }

  it("a connection approved by hand while its review waits is recorded as drift and the review ends", async () => {
    const e = estate(1, 1);
    const id = aConnectionId({ resource: "pls-0", name: "c0" });
    await awaiting(e, id);
    e.gateway.connections.get(id.toLowerCase())!.armStatus = "Approved";
    e.gateway.connections.get(id.toLowerCase())!.description = "Approved by jane in the portal";

    const result = await runOrchestration(sweepOrchestration, options(e));

    expect(result.output).toMatchObject({ drift: 1, started: 0 });
    expect(await e.bookkeeping.getConnection(id)).toMatchObject({
      state: "approved",
      azureStatus: "Approved",
      decidedBy: "outside the autopilot (Approved by jane in the portal)",
    });
    expect((await e.bookkeeping.listAudit(id)).map((a) => a.message).join("\n")).toMatch(/Drift: .*approved outside/);
    expect(e.client.terminated.map((t) => t.instanceId)).toEqual([reviewInstanceId(id)]);
    const again = await runOrchestration(sweepOrchestration, options(e));
    expect(again.output).toMatchObject({ drift: 0 });
  });

  it("a Resource Graph page that lags ARM is not drift: ARM, read before anything is written, says Pending", async () => {
    const e = estate(1, 1);
    const id = aConnectionId({ resource: "pls-0", name: "c0" });
    await awaiting(e, id);
    // The index still shows an approval that ARM no longer has (it was reset to Pending since).
    const stale = { ...e.gateway.connections.get(id.toLowerCase())!, armStatus: "Approved" as const };
    const graph = {
      queryConnections: async () => ({ connections: [stale], resourceIds: [aPrivateLinkServiceId("pls-0")] }),
    };
    const activities = createSweepActivities({ ...e, graph, meter: NO_CALL_METER, log: () => undefined });
    const outcome = await activities.graphPage({
      kind: "review",
      scopes: [scope],
      at: "2026-01-01T09:00:00.000Z",
      instanceId: "sweep-review-20260101T0900",
    });
    expect(outcome).toMatchObject({ kind: "done", value: { drift: 0 } });
    expect(e.client.terminated).toEqual([]);
    expect((await e.bookkeeping.getConnection(id))?.state).toBe("awaiting-approval");
  });

  it("a Resource Graph step walks every page, and saves the report when it ends the listing with one in hand", async () => {
    const e = estate(3, 2);
    const pages = [...e.gateway.connections.values()];
    const asked: (string | undefined)[] = [];
    const graph = {
      queryConnections: async (_scopes: readonly string[], skipToken?: string) => {
        asked.push(skipToken);
        const at = Number(skipToken ?? 0);
        return {
          connections: pages.slice(at, at + 2),
          resourceIds: [],
          ...(at + 2 < pages.length ? { skipToken: String(at + 2) } : {}),
        };
      },
    };
    const activities = createSweepActivities({ ...e, graph, meter: NO_CALL_METER, log: () => undefined });
    const page = { kind: "review" as const, scopes: [scope], at: "2026-01-01T09:00:00.000Z", instanceId: "sweep-1" };
    const first = await activities.graphPage(page);
    expect(asked).toEqual([undefined, "2", "4"]);
    expect(first).toMatchObject({ kind: "done", value: { connections: 6, started: 6 } });
    expect(first.kind === "done" && first.value.savedAt).toBeUndefined();
    expect(await e.bookkeeping.getSweepReport("review")).toBeUndefined();

    const report = emptyReport(
      { kind: "review", instanceId: "sweep-1", listing: "resource-graph", dryRun: false, scopes: 1 },
      page.at,
    );
    const last = await activities.graphPage({ ...page, skipToken: "4", report: { ...report, connections: 4 } });
    expect(last).toMatchObject({ kind: "done", value: { connections: 2, alreadyRunning: 2 } });
    const saved = await e.bookkeeping.getSweepReport("review");
    expect(saved).toMatchObject({ connections: 6, alreadyRunning: 2, listing: "resource-graph" });
    expect(last.kind === "done" && last.value.savedAt).toBe(saved?.finishedAt);
  });

  it("a Resource Graph step hands the next page back once its time budget is spent", async () => {
    const e = estate(2, 2);
    const pages = [...e.gateway.connections.values()];
    const graph = {
      queryConnections: async (_scopes: readonly string[], skipToken?: string) => {
        const at = Number(skipToken ?? 0);
        return { connections: pages.slice(at, at + 2), resourceIds: [], skipToken: String(at + 2) };
      },
    };
    const step = {
      deps: { ...e, graph, meter: NO_CALL_METER, log: () => undefined },
      kind: "review" as const,
      at: "2026-01-01T09:00:00.000Z",
      instanceId: "sweep-1",
      dryRun: false,
    };
    expect(await sweepGraphPages(step, [scope], undefined, 0)).toMatchObject({ connections: 2, skipToken: "2" });
  });

  it("a Resource Graph page shows a decision made behind our back: drift, from our row and ARM's state", async () => {
    const e = estate(1, 1);
    const id = aConnectionId({ resource: "pls-0", name: "c0" });
    await awaiting(e, id);
    e.gateway.connections.get(id.toLowerCase())!.armStatus = "Approved";
    const approved = { ...e.gateway.connections.get(id.toLowerCase())! };
    const graph = {
      queryConnections: async () => ({ connections: [approved], resourceIds: [aPrivateLinkServiceId("pls-0")] }),
    };
    const activities = createSweepActivities({ ...e, graph, meter: NO_CALL_METER, log: () => undefined });
    const page = { kind: "review" as const, scopes: [scope], at: "2026-01-01T09:00:00.000Z", instanceId: "sweep-1" };
    expect(await activities.graphPage(page)).toMatchObject({ kind: "done", value: { drift: 1 } });
    expect((await e.bookkeeping.getConnection(id))?.state).toBe("approved");
    expect(e.client.terminated.map((t) => t.instanceId)).toEqual([reviewInstanceId(id)]);
  });

  it("a review busy with its own write is not drift", async () => {
    const e = estate(1, 1);
    const id = aConnectionId({ resource: "pls-0", name: "c0" });
    await awaiting(e, id);
    e.client.steps.set(reviewInstanceId(id), "applying-decision");
    e.gateway.connections.get(id.toLowerCase())!.armStatus = "Approved";
    const result = await runOrchestration(sweepOrchestration, options(e));
    expect(result.output).toMatchObject({ drift: 0 });
    expect((await e.bookkeeping.getConnection(id))?.state).toBe("awaiting-approval");
    expect(e.client.terminated).toEqual([]);
  });

  it("a connection deleted on the provider side while its review waits ends the review", async () => {
    const e = estate(1, 1);
    const id = aConnectionId({ resource: "pls-0", name: "c0" });
    await awaiting(e, id);
    e.gateway.connections.delete(id.toLowerCase());
    const result = await runOrchestration(sweepOrchestration, options(e));
    expect(result.output).toMatchObject({ drift: 1 });
    expect((await e.bookkeeping.getConnection(id))?.state).toBe("removed");
    expect(e.client.terminated).toHaveLength(1);
  });
});
