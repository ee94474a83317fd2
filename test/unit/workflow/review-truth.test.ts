import { describe, expect, it } from "vitest";
import type { ReviewInput, ReviewOutcome } from "../../../src/workflow/contracts";
import { PermanentError } from "../../../src/ports/errors";
import { aConnectionId, anArmConnection, aTenant, anEndpoint, anEndpointId } from "../../support/builders";
import type { DriverOptions } from "../../support/orchestration-driver";
import { raceForLastUnit, reviewHarness, runReview, TEST_POLICY } from "../../support/review-harness";

/** A signal only says "look here": the review decides from ARM and the tenant table, never from its input. */
const UNKNOWN_SUB = "00000000-0000-0000-0000-0000000000d9";
const START = new Date("2026-01-01T09:00:00Z");
const connection = anArmConnection();

const QUOTA_POLICY = TEST_POLICY.replace(
  "  - id: known-tenant",
  `  - id: quota-exceeded
    when: { tenant: { status: active, quotaExceeded: true } }
    then:
      verdict: review
      reason: Over quota; a person decides.
      review: { approvers: [ops@contoso.example], deadline: PT1H, reminders: [], onDeadline: reject }
  - id: known-tenant`,
);

async function run(
  h: ReturnType<typeof reviewHarness>,
  input: Partial<ReviewInput> = {},
  extra: Partial<DriverOptions> = {},
): Promise<ReviewOutcome> {
  const options: DriverOptions = {
    instanceId: "review-1",
    input: { connectionId: connection.connectionId, source: "event-grid", observedAt: START.toISOString(), ...input },
    activities: h.activities,
    start: START,
    ...extra,
  };
  return (await runReview(options)).output;
}

const approvals = (h: ReturnType<typeof reviewHarness>) => h.gateway.writes.filter((w) => w.status === "Approved");

describe("the review decides from ARM, not from what it was told", () => {
  it("a forged observed endpoint in a known tenant's subscription gets no approval", async () => {
    const h = reviewHarness();
    const foreignEndpoint = anEndpointId("pe-1", UNKNOWN_SUB);
    h.gateway.addConnection({ ...connection, privateEndpointId: foreignEndpoint });
    h.gateway.addEndpoint(anEndpoint({ id: foreignEndpoint }));
    await h.bookkeeping.upsertTenant(aTenant());

    // The input claims the connection belongs to the known tenant's endpoint.
    const forged = await run(h, {
      observed: { at: START.toISOString(), connection: { ...connection, privateEndpointId: anEndpointId() } },
    });

    expect(approvals(h)).toEqual([]);
    expect(forged).toMatchObject({ state: "failed" });
    expect(forged.reason).toContain("CONNECTION_MISMATCH");
  });

  it("a forged request message (a change ticket ARM does not show) gets no write", async () => {
    const h = reviewHarness();
    h.gateway.addConnection({ ...connection, requestMessage: "no ticket" });
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant());

    const forged = await run(h, {
      observed: { at: START.toISOString(), connection: { ...connection, requestMessage: "CHG0012345" } },
    });

    expect(h.gateway.writes).toEqual([]);
    expect(forged.reason).toContain("request message");
  });

  it("a claimed tenant id does not make an unknown tenant's endpoint known", async () => {
    const h = reviewHarness();
    const foreignEndpoint = anEndpointId("pe-1", UNKNOWN_SUB);
    h.gateway.addConnection({ ...connection, privateEndpointId: foreignEndpoint });
    h.gateway.addEndpoint(anEndpoint({ id: foreignEndpoint }));
    await h.bookkeeping.upsertTenant(aTenant());

    const outcome = await run(h, { claimsTenantId: "contoso" });

    expect(approvals(h)).toEqual([]);
    expect(outcome).toMatchObject({ verdict: "review", ruleId: "default" });
    const row = await h.bookkeeping.getConnection(connection.connectionId);
    expect(row?.tenantId).toBeUndefined();
    const claims = (await h.bookkeeping.listAudit(connection.connectionId)).filter((e) => e.stepId.endsWith(":claims"));
    expect(claims).toHaveLength(1);
    expect(claims[0]?.message).toContain("claimed tenant contoso");
  });

  it("a suspended tenant's request is rejected whatever tenant the signal claims", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant({ status: "suspended" }));
    await h.bookkeeping.upsertTenant(aTenant({ tenantId: "northwind", subscriptions: [UNKNOWN_SUB] }));

    const outcome = await run(h, { claimsTenantId: "northwind" });

    expect(outcome).toMatchObject({ state: "rejected", ruleId: "tenant-suspended" });
    expect(approvals(h)).toEqual([]);
  });

  it("a status ARM reports that the app does not know is skipped, and nothing is written", async () => {
    const h = reviewHarness();
    h.gateway.addConnection({ ...connection, armStatus: "Unknown" });
    await h.bookkeeping.upsertTenant(aTenant());

    const outcome = await run(h);

    expect(outcome).toMatchObject({ state: "skipped" });
    expect(h.gateway.writes).toEqual([]);
  });

  it("a quota taken by a concurrent approval between policy and write sends the request to a person", async () => {
    const h = reviewHarness(QUOTA_POLICY);
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant({ quota: 1 }));
    // Another review takes the last unit after this one's policy said approve, before its own reservation: the
    // race sits inside the step that judges and writes.
    raceForLastUnit(h.bookkeeping);
    const outcome = await run(h);

    expect(approvals(h)).toEqual([]);
    expect([...new Set([...h.teams.sent, ...h.email.sent].map((s) => s.notice.kind))]).toEqual(["request"]);
    expect(outcome).toMatchObject({ state: "rejected", ruleId: "quota-exceeded", verdict: "review" });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
  });

  it("a person may approve past the quota; the approval is still counted", async () => {
    const h = reviewHarness(QUOTA_POLICY);
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant({ quota: 1 }));
    await h.bookkeeping.reserveQuota("contoso", aConnectionId({ name: "other" }), 1);

    const outcome = await run(
      h,
      {},
      {
        events: [
          { afterMs: 60_000, name: "ApprovalDecision", body: { decision: "approve", approver: "ops@contoso.example" } },
        ],
      },
    );

    expect(outcome).toMatchObject({ state: "approved", ruleId: "quota-exceeded" });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(2);
  });

  it("a failed approving write gives the reserved unit back", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant({ quota: 5 }));
    h.gateway.failNext("setConnectionStatus", new PermanentError("ARM_BAD_REQUEST", "refused"));

    const outcome = await run(h);

    expect(outcome.state).toBe("failed");
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });

  it("a re-review under the same instance id records its own audit entries", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant({ status: "suspended" }));
    await run(h);
    h.gateway.addConnection(connection); // the consumer asked again: Pending once more
    await run(h, {}, { start: new Date(START.getTime() + 86_400_000) });

    const signals = (await h.bookkeeping.listAudit(connection.connectionId)).filter((e) => e.kind === "signal");
    const writes = (await h.bookkeeping.listAudit(connection.connectionId)).filter((e) => e.kind === "arm-write");
    expect(signals).toHaveLength(2);
    expect(writes).toHaveLength(2);
  });
});
