import { describe, expect, it } from "vitest";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { ReviewOutcome, ReviewProgress } from "../../../src/workflow/contracts";
import { APPROVAL_EVENT, RENEW_EVENT } from "../../../src/workflow/names";
import { anArmConnection, aTenant, anEndpoint } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness, TEST_POLICY } from "../../support/review-harness";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date("2026-01-01T09:00:00Z");
const connection = anArmConnection();

/** The default review waits 48 h; the request may stay Pending only 30 h. */
const SHORT_PENDING = TEST_POLICY.replace("default:\n", "maxPendingAge: PT30H\ndefault:\n");
/** The registered tenant is approved for 8 days (notice 2 days before the end). */
const TIME_BOUND = TEST_POLICY.replace(
  "reason: A registered tenant from its own subscription. }",
  "reason: A registered tenant from its own subscription., validFor: P8D }",
);

async function review(policy: string, events: DriverOptions["events"] = [], known = false) {
  const h = reviewHarness(policy);
  h.gateway.addConnection({ ...connection });
  h.gateway.addEndpoint(anEndpoint());
  if (known) await h.bookkeeping.upsertTenant(aTenant());
  const options: DriverOptions = {
    instanceId: "review-s",
    input: { connectionId: connection.connectionId, source: "sweep", observedAt: START.toISOString() },
    start: START,
    activities: h.activities,
    events,
  };
  const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(connectionReviewOrchestration, options, result.history)).toEqual(result.output);
  const audit = (await h.bookkeeping.listAudit(connection.connectionId, 500)).map((e) => e.message);
  const row = await h.bookkeeping.getConnection(connection.connectionId);
  return { h, result, audit, row };
}

describe("a request past its maximum Pending age", () => {
  it("ends the waiting review before its deadline and rejects, saying why and how to ask again", async () => {
    const { h, result, audit } = await review(SHORT_PENDING);
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "policy:default" });
    expect(result.output?.reason).toMatch(/maximum age PT30H/);
    expect(result.clock.getTime() - START.getTime()).toBeLessThan(31 * HOUR);
    expect(h.gateway.writes).toEqual([
      expect.objectContaining({ status: "Rejected", description: expect.stringMatching(/PT30H.*to ask again/i) }),
    ]);
    expect(audit.some((m) => m.startsWith("reject (expired)"))).toBe(true);
  });

  it("rejects at once, asking nobody, when a new review finds a request first seen too long ago", async () => {
    const h = reviewHarness(SHORT_PENDING);
    h.gateway.addConnection({ ...connection });
    h.gateway.addEndpoint(anEndpoint());
    // An earlier review saw it two days ago and failed; the sweep starts another.
    await h.bookkeeping.saveConnection({
      connectionId: connection.connectionId,
      state: "failed",
      providerResourceId: connection.providerResourceId,
      updatedAt: new Date(START.getTime() - 2 * DAY).toISOString(),
    });
    const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, {
      instanceId: "review-s",
      input: { connectionId: connection.connectionId, source: "sweep", observedAt: START.toISOString() },
      start: START,
      activities: h.activities,
    });
    expect(result.output).toMatchObject({ state: "rejected" });
    expect(h.teams.sent).toEqual([]);
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Rejected"]);
  });

  it("is not expired when a person decides in time", async () => {
    const { result } = await review(SHORT_PENDING, [
      { afterMs: 29 * HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "ops@contoso.example" } },
    ]);
    expect(result.output).toMatchObject({ state: "approved", decidedBy: "ops@contoso.example" });
  });

  it("writes nothing when Azure no longer shows it Pending at the end", async () => {
    const h = reviewHarness(SHORT_PENDING);
    h.gateway.addConnection({ ...connection });
    h.gateway.addEndpoint(anEndpoint());
    const options: DriverOptions = {
      instanceId: "review-s",
      input: { connectionId: connection.connectionId, source: "sweep", observedAt: START.toISOString() },
      start: START,
      activities: {
        ...h.activities,
        // Approved by hand in the portal while the review waited.
        "review-record-human-decision": async (input: never) => {
          await h.gateway.setConnectionStatus(connection.connectionId, "Approved", "by hand");
          return h.activities["review-record-human-decision"](input);
        },
      },
    };
    const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, options);
    expect(result.output).toMatchObject({ state: "skipped" });
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Approved"]);
  });
});

describe("a time-bound approval", () => {
  it("tells approvers and tenant before the end, then rejects it and removes its DNS records, row and quota", async () => {
    const { h, result, audit, row } = await review(TIME_BOUND, [], true);
    expect(result.output).toMatchObject({ state: "removed" });
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Approved", "Rejected"]);
    expect(h.gateway.writes[1]!.description).toMatch(/approval ended on 9 Jan 2026 09:00 UTC.*to ask again/i);
    expect(h.teams.sent.map((s) => s.notice.kind)).toEqual(["expiring"]);
    expect(h.dns.records.size).toBe(0);
    expect(row).toMatchObject({ state: "removed", azureStatus: "Rejected" });
    expect(row?.dnsRecords?.every((r) => r.outcome === "removed")).toBe(true);
    expect(await h.bookkeeping.quotaUsage(aTenant().tenantId)).toBe(0);
    expect(audit.some((m) => m.startsWith("Approved until 2026-01-09T09:00"))).toBe(true);
    expect(result.statuses).toContainEqual(expect.objectContaining({ step: "approved-until" }));
  });

  it("keeps it when renewed: a new period starts at the renewal", async () => {
    const { h, result, audit } = await review(
      TIME_BOUND,
      [{ afterMs: 7 * DAY, name: RENEW_EVENT, body: { by: "ops@contoso.example", reason: "Still needed" } }],
      true,
    );
    const until = (result.statuses as ReviewProgress[])
      .filter((s) => s.step === "approved-until")
      .map((s) => s.validUntil);
    expect(until).toEqual([expect.stringMatching(/^2026-01-09T09:00/), expect.stringMatching(/^2026-01-16T09:00/)]);
    expect(audit.some((m) => /^Approval renewed by ops@contoso.example until 2026-01-16.*Still needed/.test(m))).toBe(
      true,
    );
    // The renewed period ends too, 8 days after the renewal: only then is it rejected.
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Approved", "Rejected"]);
    expect(result.clock.getTime()).toBeGreaterThan(Date.parse("2026-01-16T09:00:00Z"));
  });

  it("ignores a renewal that names nobody", async () => {
    const { result } = await review(TIME_BOUND, [{ afterMs: 7 * DAY, name: RENEW_EVENT, body: { reason: "x" } }], true);
    expect(result.clock.getTime()).toBeLessThan(Date.parse("2026-01-10T00:00:00Z"));
  });

  it("does nothing but record why when the connection was already rejected by hand", async () => {
    const h = reviewHarness(TIME_BOUND);
    h.gateway.addConnection({ ...connection });
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant());
    const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, {
      instanceId: "review-s",
      input: { connectionId: connection.connectionId, source: "sweep", observedAt: START.toISOString() },
      start: START,
      activities: {
        ...h.activities,
        "approval-end": async (input: never) => {
          await h.gateway.setConnectionStatus(connection.connectionId, "Rejected", "by hand");
          return h.activities["approval-end"](input);
        },
      },
    });
    expect(result.output).toMatchObject({ state: "approved" });
    expect(h.gateway.writes.map((w) => w.description)).toEqual([expect.stringMatching(/^Approved/), "by hand"]);
    expect(h.dns.records.size).toBe(1);
    const audit = (await h.bookkeeping.listAudit(connection.connectionId, 500)).map((e) => e.message);
    expect(audit).toContain(
      "The approval period ended; nothing was changed: Azure shows the connection Rejected, not Approved.",
    );
  });
});
