import { describe, expect, it } from "vitest";
import { TransientError } from "../../../src/ports/errors";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import { toConnectionRequest } from "../../../src/workflow/connection-request";
import type { DecideInput, ReviewInput, ReviewOutcome } from "../../../src/workflow/contracts";
import { ActivityNames } from "../../../src/workflow/names";
import { anArmConnection, aTenant, anEndpoint } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

/**
 * When policy decides alone, one step reads ARM, judges exactly that state and writes: the read the decision is
 * made on is the read right before the write. A verdict for a person writes nothing there.
 */
const START = new Date("2026-01-01T09:00:00Z");
const connection = anArmConnection();
const observed: ReviewInput = {
  connectionId: connection.connectionId,
  source: "event-grid",
  observedAt: "2026-01-01T08:59:50.000Z",
  observed: { at: "2026-01-01T08:59:50.000Z", connection, endpoint: anEndpoint() },
};

async function estate(tenant = aTenant()) {
  const h = reviewHarness();
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  await h.bookkeeping.upsertTenant(tenant);
  return h;
}

async function run(h: Awaited<ReturnType<typeof estate>>, extra: Partial<DriverOptions> = {}) {
  const options: DriverOptions = { instanceId: "review-1", input: observed, activities: h.activities, start: START };
  const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, { ...options, ...extra });
  if (result.error) throw result.error;
  expect(replay(connectionReviewOrchestration, { ...options, ...extra }, result.history)).toEqual(result.output);
  return result;
}

describe("policy's verdict is judged and written on one read", () => {
  it("an auto-approval reads ARM once, in the step that writes, and no separate apply step runs", async () => {
    const h = await estate();
    const result = await run(h);

    expect(result.output).toMatchObject({
      state: "approved",
      ruleId: "known-tenant",
      decidedBy: "policy:known-tenant",
    });
    expect(h.gateway.reads).toEqual([
      { method: "getConnection", id: connection.connectionId, detail: "with-provider" },
    ]);
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Approved"]);
    expect(result.activityCalls.map((c) => c.name)).not.toContain(ActivityNames.applyDecision);
    // The decision and the write it led to are both recorded, and the unit of quota is held.
    const kinds = (await h.bookkeeping.listAudit(connection.connectionId)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["decision", "arm-write"]));
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
  });

  it("records the group ids of the read it judged when the first read had none (a status read of Storage)", async () => {
    const h = await estate();
    h.gateway.addConnection({ ...connection, groupIds: ["blob"] });
    const hint = { ...connection, groupIds: [] };
    await run(h, { input: { ...observed, observed: { ...observed.observed!, connection: hint } } });

    expect((await h.bookkeeping.getConnection(connection.connectionId))?.groupIds).toEqual(["blob"]);
  });

  it("a retried step that finds its own write done does not write again and still registers DNS", async () => {
    const h = await estate();
    // The write succeeds, then recording it fails once: the activity runs again and finds ARM Approved.
    const append = h.bookkeeping.appendAudit.bind(h.bookkeeping);
    let failed = false;
    h.bookkeeping.appendAudit = async (entry) => {
      if (!failed && entry.kind === "arm-write") {
        failed = true;
        throw new TransientError("STORAGE_UNAVAILABLE", "503");
      }
      return append(entry);
    };

    const result = await run(h);

    expect(failed).toBe(true);
    expect(h.gateway.writes).toHaveLength(1);
    expect(result.output).toMatchObject({
      state: "approved",
      dnsRecords: [expect.objectContaining({ outcome: "created" })],
    });
    expect(result.activityCalls.find((c) => c.name === ActivityNames.decide)?.attempts).toBe(2);
    const writes = (await h.bookkeeping.listAudit(connection.connectionId)).filter((e) => e.kind === "arm-write");
    expect(writes).toHaveLength(1);
  });

  it("a verdict for a person writes nothing in that step; the person's decision is written after a read of its own", async () => {
    const h = await estate(aTenant({ subscriptions: ["00000000-0000-0000-0000-0000000000d9"] }));
    const result = await run(h, {
      events: [
        { afterMs: 60_000, name: "ApprovalDecision", body: { decision: "approve", approver: "ops@contoso.example" } },
      ],
    });

    expect(result.output).toMatchObject({ state: "approved", verdict: "review", decidedBy: "ops@contoso.example" });
    expect(h.gateway.reads.map((r) => r.detail)).toEqual(["with-provider", "status"]);
    expect(result.activityCalls.map((c) => c.name)).toContain(ActivityNames.applyDecision);
  });

  it("a status ARM shows at the decision's read that the app does not know writes nothing", async () => {
    const h = await estate();
    h.gateway.addConnection({ ...connection, armStatus: "Unknown" });
    const result = await run(h);

    expect(result.output).toMatchObject({ state: "skipped" });
    expect(h.gateway.writes).toEqual([]);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });

  it("an input older instances scheduled (no apply) is judged as given, without reading or writing ARM", async () => {
    const h = await estate();
    await h.bookkeeping.saveConnection({
      connectionId: connection.connectionId,
      state: "received",
      providerResourceId: connection.providerResourceId,
      updatedAt: START.toISOString(),
    });
    const input: DecideInput = {
      instanceId: "review-1",
      request: toConnectionRequest(connection, "event-grid", START.toISOString(), "contoso"),
      tenant: { ...aTenant(), usage: 0 },
      now: START.toISOString(),
    };
    const result = await h.activities[ActivityNames.decide](input);

    expect(result).toMatchObject({ ok: true, value: { verdict: "approve", ruleId: "known-tenant" } });
    expect(result.ok && result.value.written).toBeUndefined();
    expect(h.gateway.reads).toEqual([]);
    expect(h.gateway.writes).toEqual([]);
  });
});
