import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKey } from "../../src/domain/arm-id";
import { EVERYONE_REVIEWS, reviewNeedingAPerson } from "../support/approval-flow";
import { until } from "../support/until";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

const MINUTE = 60_000;

/**
 * Azure raises no provider-side event for a request from an unwatched subscription: the sweep must find it. Each
 * timer tick starts one durable sweep; the devhost's manual clock makes the ticks distinct without waiting.
 */
describe("the durable sweep end to end", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ manualClockStart: Date.now() });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const instances = async () => {
    const res = await fetch(
      `${stack.devhost.url}/runtime/webhooks/durabletask/instances?code=${encodeURIComponent(stack.devhost.keys.durableTask)}`,
    );
    expect(res.status).toBe(200);
    return (await res.json()) as { instanceId: string; createdTime: string; runtimeStatus: string }[];
  };
  /** Moves the devhost clock to the next tick, fires the sweep timer and waits for that sweep's report. */
  const sweepOnce = async (kind: "review" | "cleanup" = "review") => {
    await advance(5 * MINUTE);
    const before = (await stack.api("GET", `/sweeps/latest?kind=${kind}`)).body?.instanceId;
    await stack.fireTimer(kind === "review" ? "sweep" : "cleanup-sweep");
    return reportAfter(kind, before);
  };
  const reportAfter = (kind: string, before: string | undefined) =>
    until(async () => {
      const res = await stack.api("GET", `/sweeps/latest?kind=${kind}`);
      return res.status === 200 && res.body.instanceId !== before ? res.body : undefined;
    }, `the ${kind} sweep's report`);
  const advance = (ms: number) => stack.advanceTime(ms);
  const writes = async () =>
    (await stack.calls()).calls.filter((c: { method: string }) => c.method === "PUT" || c.method === "DELETE");

  it("reviews a Pending connection that no event announced, and reports the sweep", async () => {
    const estate = estateOf(stack);
    const unwatched = stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
    const pe = await stack.createEndpoint({
      consumer: unwatched,
      name: "sweep-pg",
      targetResourceId: estate.postgres.id,
    });
    expect((await stack.api("GET", `/connections/${encodeKey(pe.connectionId)}`)).status).toBe(404);

    const report = await sweepOnce();

    expect(report).toMatchObject({ kind: "review", listing: "per-resource", dryRun: false, errors: [] });
    expect(report.started).toBeGreaterThanOrEqual(1);
    expect(report.sample).toContainEqual(pe.connectionId);
    expect(report.armCalls).toBeGreaterThan(0);
    const seen = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(seen.state).toBe("approved");
    expect(seen.source).toBe("sweep");
  });

  it("a sweep run again writes nothing to Azure and starts no review", async () => {
    await sweepOnce();
    const reviews = async () =>
      (await instances())
        .filter((i) => i.instanceId.startsWith("review-"))
        .map((i) => `${i.instanceId}@${i.createdTime}`);
    const before = { writes: (await writes()).length, reviews: (await reviews()).sort() };

    const again = await sweepOnce();

    expect(again).toMatchObject({ started: 0, drift: 0, errors: [] });
    expect((await writes()).length).toBe(before.writes);
    expect((await reviews()).sort()).toEqual(before.reviews);
  });

  it("duplicate firings of one tick start one sweep", async () => {
    await advance(5 * MINUTE);
    const sweeps = async () => (await instances()).filter((i) => i.instanceId.startsWith("sweep-review-"));
    const before = (await sweeps()).length;
    const latest = (await stack.api("GET", "/sweeps/latest")).body.instanceId as string;
    await Promise.all([stack.fireTimer("sweep"), stack.fireTimer("sweep")]);
    expect((await sweeps()).length).toBe(before + 1);
    await reportAfter("review", latest);
  });

  it("the dry run reports what a sweep would start and writes nothing", async () => {
    const estate = estateOf(stack);
    const unwatched = stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
    const pe = await stack.createEndpoint({
      consumer: unwatched,
      name: "sweep-dry",
      targetResourceId: estate.storage.id,
    });
    const before = { writes: (await writes()).length, instances: (await instances()).length };

    const dry = await stack.api("POST", "/sweeps/dry-run?kind=review");
    const cleanup = await stack.api("POST", "/sweeps/dry-run?kind=cleanup");

    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, errors: [] });
    expect(dry.body.sample).toContainEqual(pe.connectionId);
    expect(cleanup.status).toBe(200);
    expect(cleanup.body).toMatchObject({ kind: "cleanup", dryRun: true });
    expect((await writes()).length).toBe(before.writes);
    expect((await instances()).length).toBe(before.instances);
    expect((await stack.api("GET", `/connections/${encodeKey(pe.connectionId)}`)).status).toBe(404);
    expect((await stack.api("POST", "/sweeps/dry-run?kind=everything")).body.error.code).toBe("SWEEP_KIND_INVALID");
  });
});

describe("drift found by the sweep", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ settings: { POLICY_SOURCE: EVERYONE_REVIEWS } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("records a connection approved by hand while its review waited, and ends that review", async () => {
    const pe = await reviewNeedingAPerson(stack, "e2e-by-hand");
    const row = (await stack.api("GET", `/connections/${encodeKey(pe.connectionId)}`)).body;
    const byHand = await stack.arm("PUT", `${pe.connectionId}?api-version=2024-08-01`, {
      properties: {
        privateLinkServiceConnectionState: { status: "Approved", description: "Approved by jane in the portal" },
      },
    });
    expect(byHand.status).toBeLessThan(300);

    await stack.fireTimer("sweep");

    const drifted = await stack.waitForConnection(pe.connectionId, ["approved"]);
    expect(drifted.decidedBy).toMatch(/outside the autopilot/);
    expect(drifted.history.map((h: { message: string }) => h.message).join("\n")).toMatch(
      /Drift: The connection was approved outside the autopilot.*Approved by jane in the portal/,
    );
    const review = await until(async () => {
      const res = await fetch(
        `${stack.devhost.url}/runtime/webhooks/durabletask/instances/${encodeURIComponent(row.instanceId)}?code=${encodeURIComponent(stack.devhost.keys.durableTask)}`,
      );
      const body = (await res.json()) as { runtimeStatus: string };
      return body.runtimeStatus === "Terminated" ? body : undefined;
    }, "the waiting review to end");
    expect(review.runtimeStatus).toBe("Terminated");
  });
});

describe("the sweep listing through Azure Resource Graph", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ settings: { SWEEP_LISTING: "resource-graph" } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("finds a cross-tenant request no event announced, in one query page", async () => {
    const estate = estateOf(stack);
    const pe = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "graph-pls",
      targetResourceId: estate.pls.id,
    });

    await stack.fireTimer("sweep");

    const report = await until(async () => {
      const res = await stack.api("GET", "/sweeps/latest");
      return res.status === 200 ? res.body : undefined;
    }, "the sweep's report");
    expect(report).toMatchObject({ listing: "resource-graph", errors: [] });
    expect(report.sample).toContainEqual(pe.connectionId);
    const graphCalls = (await stack.calls()).calls.filter((c: { path: string }) => /resourcegraph/i.test(c.path));
    expect(graphCalls).toHaveLength(1);
    const seen = await stack.waitForConnection(pe.connectionId, ["awaiting-approval", "approved", "rejected"]);
    expect(seen.source).toBe("sweep");
  });
});
