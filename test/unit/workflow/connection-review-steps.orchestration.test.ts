import { describe, expect, it } from "vitest";
import { approvalEndedDescription } from "../../../src/domain/stale";
import { PermanentError, TransientError } from "../../../src/ports/errors";
import type { ReviewInput, ReviewProgress } from "../../../src/workflow/contracts";
import { ActivityNames, APPROVAL_EVENT, RENEW_EVENT } from "../../../src/workflow/names";
import { anArmConnection, aTenant, anEndpoint, CONSUMER_SUB } from "../../support/builders";
import type { DriverOptions } from "../../support/orchestration-driver";
import { raceForLastUnit, reviewHarness, runReview, TEST_POLICY } from "../../support/review-harness";

// The review step by step on the replay driver: what each step is given, what the status shows while it runs,
// and the reason and outcome recorded on every way out.

const HOUR = 3_600_000;
const START = new Date("2026-01-01T09:00:00.000Z");
const RUN = `review-1@${START.toISOString()}`;
const connection = anArmConnection();
const CONN = connection.connectionId;
const base: ReviewInput = { connectionId: CONN, source: "event-grid", observedAt: "2026-01-01T08:59:00.000Z" };

async function estate(policy = TEST_POLICY, known = true) {
  const h = reviewHarness(policy);
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  if (known) await h.bookkeeping.upsertTenant(aTenant());
  return h;
}

async function run(
  h: ReturnType<typeof reviewHarness>,
  input: Partial<ReviewInput> = {},
  extra: Partial<DriverOptions> = {},
) {
  const options: DriverOptions = {
    instanceId: "review-1",
    input: { ...base, ...input },
    activities: h.activities,
    start: START,
    ...extra,
  };
  const result = await runReview(options);
  return { ...result, statuses: result.statuses as ReviewProgress[] };
}

const at = (ms: number) => new Date(START.getTime() + ms).toISOString();

describe("an approval by policy, step by step", () => {
  it("gives each step what it needs and shows each step in the status", async () => {
    const h = await estate();
    const r = await run(h, {
      eventId: "evt-9",
      requestedBy: "alice@contoso.example",
      claimsTenantId: "contoso",
      observed: { at: START.toISOString(), connection, endpoint: anEndpoint() },
    });

    expect(r.statuses.map((s) => s.step)).toEqual([
      "reading-connection",
      "recording",
      "resolving-tenant",
      "evaluating-policy",
      "applying-decision",
      "registering-dns",
      "recording-outcome",
      "done",
    ]);
    expect(r.statuses.at(-4)).toEqual({ step: "applying-decision", verdict: "approve", ruleId: "known-tenant" });
    expect(r.statuses.at(-3)).toEqual({ step: "registering-dns", verdict: "approve", ruleId: "known-tenant" });
    expect(r.statuses.at(-2)).toEqual({ step: "recording-outcome", state: "approved" });
    expect(r.statuses.at(-1)).toEqual({ step: "done", state: "approved", verdict: "approve", ruleId: "known-tenant" });

    expect(r.inputs(ActivityNames.recordRequest)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        source: "event-grid",
        observedAt: "2026-01-01T08:59:00.000Z",
        eventId: "evt-9",
        requestedBy: "alice@contoso.example",
        at: at(0),
      },
    ]);
    expect(r.inputs(ActivityNames.resolveTenant)).toEqual([
      { instanceId: "review-1", run: RUN, connection, claimsTenantId: "contoso", at: at(1000) },
    ]);
    expect(r.inputs(ActivityNames.decide)).toEqual([
      expect.objectContaining({
        instanceId: "review-1",
        run: RUN,
        tenant: expect.objectContaining({ tenantId: "contoso" }),
        now: at(2000),
        apply: { firstSeenAt: at(0) },
      }),
    ]);
    expect(r.inputs(ActivityNames.registerDns)).toEqual([
      expect.objectContaining({
        instanceId: "review-1",
        run: RUN,
        connection: expect.objectContaining({ armStatus: "Approved" }),
        endpoint: anEndpoint(),
        tenantId: "contoso",
        at: at(3000),
      }),
    ]);
    const version = (r.inputs(ActivityNames.recordOutcome)[0] as { policyVersion: string }).policyVersion;
    expect(version).toEqual(expect.any(String));
    expect(r.inputs(ActivityNames.recordOutcome)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        providerResourceId: connection.providerResourceId,
        state: "approved",
        reason: "A registered tenant from its own subscription.",
        at: at(4000),
        verdict: "approve",
        ruleId: "known-tenant",
        policyVersion: version,
        tenantId: "contoso",
        azureStatus: "Approved",
        decidedBy: "policy:known-tenant",
        dnsRecords: [expect.objectContaining({ outcome: "created" })],
      },
    ]);
    expect(r.output).toEqual({
      connectionId: CONN,
      state: "approved",
      reason: "A registered tenant from its own subscription.",
      verdict: "approve",
      ruleId: "known-tenant",
      decidedBy: "policy:known-tenant",
      dnsRecords: [expect.objectContaining({ outcome: "created" })],
    });
  });

  it("a signal without event id, requester or claim passes none on", async () => {
    const h = await estate();
    const r = await run(h);
    expect(r.inputs(ActivityNames.recordRequest)[0]).not.toHaveProperty("eventId");
    expect(r.inputs(ActivityNames.recordRequest)[0]).not.toHaveProperty("requestedBy");
    expect(r.inputs(ActivityNames.resolveTenant)[0]).not.toHaveProperty("claimsTenantId");
    expect(r.inputs(ActivityNames.registerDns)[0]).not.toHaveProperty("endpoint");
  });

  it("a DNS step that keeps failing leaves the approval standing, with a note saying so", async () => {
    const h = await estate();
    h.dns.ensureARecord = () => Promise.reject(new TransientError("DNS_THROTTLED", "busy"));
    const r = await run(h);
    expect(r.output).toMatchObject({ state: "approved", dnsRecords: [] });
    expect(r.output.dnsNote).toMatch(/^DNS registration failed after retries: /);
    expect(r.output.dnsNote).toContain("busy");
    expect(await h.bookkeeping.getConnection(CONN)).toMatchObject({ state: "approved", dnsNote: r.output.dnsNote });
  });
});

describe("the ways out before a decision", () => {
  it("a connection ARM does not have is skipped, recorded nowhere", async () => {
    const h = await estate();
    h.gateway.connections.clear();
    const r = await run(h);
    expect(r.output).toEqual({
      connectionId: CONN,
      state: "skipped",
      reason: "The connection does not exist in Azure.",
    });
    expect(r.statuses.map((s) => s.step)).toEqual(["reading-connection", "recording-outcome", "done"]);
    expect(r.statuses.at(-1)).toEqual({ step: "done", state: "skipped" });
  });

  it("a read that fails for good ends the review failed with the code and message", async () => {
    const h = await estate();
    h.gateway.failNext("getConnection", new PermanentError("ARM_FORBIDDEN", "no role"));
    const r = await run(h);
    expect(r.output).toEqual({ connectionId: CONN, state: "failed", reason: "ARM_FORBIDDEN: no role" });
  });

  it("a connection already decided is skipped with its status recorded", async () => {
    const h = await estate();
    h.gateway.addConnection({ ...connection, armStatus: "Rejected" });
    const r = await run(h);
    expect(r.output).toEqual({
      connectionId: CONN,
      state: "skipped",
      reason: "The connection is already Rejected; nothing was written.",
    });
    expect(r.inputs(ActivityNames.recordOutcome)[0]).toMatchObject({ azureStatus: "Rejected" });
  });

  it("a recording refused for good fails the review with the code and message, before any decision", async () => {
    const h = await estate();
    const save = h.bookkeeping.saveConnection.bind(h.bookkeeping);
    let refused = false;
    h.bookkeeping.saveConnection = async (update) => {
      if (refused) return save(update);
      refused = true;
      throw new PermanentError("STORAGE_REJECTED", "bad row");
    };
    const r = await run(h);
    expect(r.output).toEqual({ connectionId: CONN, state: "failed", reason: "STORAGE_REJECTED: bad row" });
    expect(r.inputs(ActivityNames.decide)).toEqual([]);
  });

  it("a decide step refused as not Pending is skipped; a mismatch fails; neither names a decider", async () => {
    const h = await estate();
    const stale = { at: START.toISOString(), connection };
    h.gateway.addConnection({ ...connection, armStatus: "Approved" });
    const skipped = await run(h, { observed: stale });
    expect(skipped.output).toEqual({
      connectionId: CONN,
      state: "skipped",
      reason: "CONNECTION_NOT_PENDING: The connection is Approved, not Pending; it was left as it is.",
    });

    const g = await estate();
    g.gateway.addConnection({ ...connection, requestMessage: "other" });
    const failed = await run(g, { observed: stale });
    expect(failed.output.state).toBe("failed");
    expect(failed.output.reason).toMatch(/^CONNECTION_MISMATCH: /);
  });

  it("a failure the review cannot record still ends it, saying it stopped without approving", async () => {
    const h = await estate();
    h.bookkeeping.appendAudit = () => Promise.reject(new TransientError("STORAGE_UNAVAILABLE", "down"));
    const r = await run(h);
    expect(r.output.state).toBe("failed");
    expect(r.output.reason).toMatch(/^Stopped without approving: /);
    expect(r.statuses.at(-1)).toEqual({ step: "done", state: "failed" });
    expect(h.gateway.writes).toEqual([]);
  });

  it("an approval written whose outcome cannot be recorded is reported approved, not failed", async () => {
    const h = await estate();
    const save = h.bookkeeping.saveConnection.bind(h.bookkeeping);
    h.bookkeeping.saveConnection = async (row) => {
      if ("state" in row && row.state === "approved") throw new TransientError("STORAGE_UNAVAILABLE", "down");
      return save(row);
    };
    const r = await run(h);
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Approved"]);
    expect(r.output.state).toBe("approved");
    expect(r.output.reason).toMatch(/^Approved in Azure, but recording failed: /);
    expect(r.output.reason).toContain("down");
  });
});

describe("a quota used up between policy and the write", () => {
  const QUOTA_POLICY = TEST_POLICY.replace(
    "  - id: known-tenant",
    `  - id: quota-exceeded
    when: { tenant: { status: active, quotaExceeded: true } }
    then: { verdict: reject, reason: Over quota. }
  - id: known-tenant`,
  );

  it("judges once more under a run of its own and writes what policy says then", async () => {
    const h = await estate(QUOTA_POLICY, false);
    await h.bookkeeping.upsertTenant(aTenant({ quota: 1 }));
    raceForLastUnit(h.bookkeeping);
    const r = await run(h);
    expect(r.inputs(ActivityNames.decide).map((i) => (i as { run: string }).run)).toEqual([RUN, `${RUN}#1`]);
    expect(r.inputs(ActivityNames.resolveTenant).map((i) => (i as { run: string }).run)).toEqual([RUN, `${RUN}#1`]);
    expect(r.output).toMatchObject({ state: "rejected", ruleId: "quota-exceeded", reason: "Over quota." });
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Rejected"]);
  });

  it("a second refusal of the quota ends the review failed", async () => {
    const h = await estate(TEST_POLICY, false);
    await h.bookkeeping.upsertTenant(aTenant({ quota: 1 }));
    h.bookkeeping.reserveQuota = async () => ({ reserved: false, usage: 1 });
    const r = await run(h);
    expect(r.inputs(ActivityNames.decide)).toHaveLength(2);
    expect(r.output.state).toBe("failed");
    expect(r.output.reason).toBe("QUOTA_EXHAUSTED: Tenant contoso has used its quota of 1; nothing was written.");
  });
});

describe("waiting for a person", () => {
  const UNKNOWN = "00000000-0000-0000-0000-0000000000d9";
  const stranger = () => estate(TEST_POLICY.replace("reminders: [PT24H]", "reminders: [PT24H, PT12H]"), false);

  it("asks, then reminds in time order only before the deadline, then applies onDeadline with its reason", async () => {
    const h = await stranger();
    const r = await run(h);
    const asked = r.inputs(ActivityNames.requestApproval) as {
      kind: string;
      sequence: number;
      deadline: string;
      run: string;
    }[];
    expect(asked.map((a) => [a.kind, a.sequence])).toEqual([
      ["request", 0],
      ["reminder", 1],
      ["reminder", 2],
    ]);
    expect(asked[0]).toMatchObject({ deadline: at(48 * HOUR + 4000), run: RUN });
    expect(asked[0]).not.toHaveProperty("recipients");
    expect(r.timersCreated.map((t) => t.toISOString())).toEqual([
      at(12 * HOUR + 4000),
      at(24 * HOUR + 4000),
      at(48 * HOUR + 4000),
    ]);
    const reason = `No decision by ${at(48 * HOUR + 4000)}; the policy's onDeadline says reject.`;
    expect(r.inputs(ActivityNames.recordHumanDecision)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        via: "deadline",
        decision: "reject",
        actor: "policy:default",
        reason,
        sequence: 3,
        at: at(48 * HOUR + 4000),
      },
    ]);
    expect(r.output).toMatchObject({ state: "rejected", reason, decidedBy: "policy:default", verdict: "review" });
    expect(h.gateway.writes.map((w) => w.description)).toEqual([expect.stringMatching(/^Rejected by rule default/)]);
    expect(r.statuses.find((s) => s.step === "asking-approvers")).toEqual({
      step: "asking-approvers",
      verdict: "review",
      ruleId: "default",
      deadline: at(48 * HOUR + 4000),
    });
    expect(r.statuses.find((s) => s.step === "awaiting-approval")).toEqual({
      step: "awaiting-approval",
      verdict: "review",
      ruleId: "default",
      deadline: at(48 * HOUR + 4000),
      approvers: ["ops@contoso.example", "alice@contoso.example", "bob@contoso.example"],
      onDeadline: "reject",
    });
  });

  it("an onDeadline of approve approves at the deadline", async () => {
    const h = await estate(
      TEST_POLICY.replace(
        "  - id: known-tenant",
        `  - id: partner
    when: { tenant: { status: active } }
    then:
      verdict: review
      reason: A partner; a person may look.
      review: { approvers: [ops@contoso.example], deadline: PT1H, reminders: [], onDeadline: approve }
  - id: known-tenant`,
      ),
    );
    const r = await run(h);
    expect(r.output).toMatchObject({ state: "approved", decidedBy: "policy:partner" });
    expect(r.output.reason).toContain("the policy's onDeadline says approve.");
  });

  it("records a person's decision with its channel and reason, and one without either", async () => {
    const h = await stranger();
    const r = await run(
      h,
      {},
      {
        events: [
          { afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "ops@contoso.example" } },
        ],
      },
    );
    expect(r.inputs(ActivityNames.recordHumanDecision)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        via: "event",
        channel: "event",
        decision: "approve",
        actor: "ops@contoso.example",
        reason: "",
        sequence: 1,
        at: at(HOUR),
      },
    ]);
    expect(r.output).toMatchObject({ state: "approved", reason: "approve by ops@contoso.example" });
    expect(r.timersCancelled).toBe(1);

    const g = await stranger();
    const withReason = await run(
      g,
      {},
      {
        events: [
          {
            afterMs: HOUR,
            name: APPROVAL_EVENT,
            body: { decision: "reject", approver: "bob@contoso.example", reason: "not ours", via: "api" },
          },
        ],
      },
    );
    expect(withReason.output).toMatchObject({ state: "rejected", reason: "reject by bob@contoso.example: not ours" });
    expect(withReason.inputs(ActivityNames.recordHumanDecision)[0]).toMatchObject({
      channel: "api",
      reason: "not ours",
    });
    expect(g.gateway.writes.map((w) => w.description)).toEqual([
      "Rejected by bob@contoso.example (rule default): not ours",
    ]);
    expect(g.gateway.writes).toHaveLength(1);
  });

  it("refuses someone not asked, naming who was, and an unreadable event, then keeps waiting", async () => {
    const h = await stranger();
    const r = await run(
      h,
      {},
      {
        events: [
          { afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "mallory@contoso.example" } },
          { afterMs: 2 * HOUR, name: APPROVAL_EVENT, body: "garbage" },
          { afterMs: 3 * HOUR, name: APPROVAL_EVENT, body: { decision: "reject", approver: "alice@contoso.example" } },
        ],
      },
    );
    expect(r.inputs(ActivityNames.recordHumanDecision)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        via: "refused",
        actor: "mallory@contoso.example",
        reason:
          "mallory@contoso.example is not among this review's approvers (ops@contoso.example, alice@contoso.example, bob@contoso.example)",
        sequence: 1,
        at: at(HOUR),
      },
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        via: "invalid-event",
        actor: "unknown",
        reason: "the body needs decision (approve|reject) and approver",
        sequence: 2,
        at: at(2 * HOUR),
      },
      expect.objectContaining({ via: "event", actor: "alice@contoso.example", sequence: 3 }),
    ]);
    expect(r.output).toMatchObject({ state: "rejected", decidedBy: "alice@contoso.example" });
  });

  it("with nobody to ask, refuses every event and says none were asked", async () => {
    const h = reviewHarness(
      TEST_POLICY.replace(
        "approvers: [ops@contoso.example, alice@contoso.example, bob@contoso.example]",
        "approvers: []",
      ),
    );
    h.gateway.addConnection({
      ...connection,
      privateEndpointId: `/subscriptions/${UNKNOWN}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe-1`,
    });
    const r = await run(
      h,
      {},
      {
        events: [
          { afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "ops@contoso.example" } },
        ],
      },
    );
    expect(r.inputs(ActivityNames.recordHumanDecision)[0]).toMatchObject({
      via: "refused",
      reason: "ops@contoso.example is not among this review's approvers (none)",
    });
    expect(r.output.state).toBe("rejected");
  });

  it("ends the wait at the maximum Pending age when it comes first, with no reminder after it", async () => {
    const h = await estate(
      TEST_POLICY.replace("reminders: [PT24H]", "reminders: [PT12H, PT24H]").replace(
        "default:\n",
        "maxPendingAge: PT20H\ndefault:\n",
      ),
      false,
    );
    const r = await run(h);
    expect((r.inputs(ActivityNames.requestApproval) as { kind: string }[]).map((a) => a.kind)).toEqual([
      "request",
      "reminder",
    ]);
    expect(r.inputs(ActivityNames.recordHumanDecision)).toEqual([
      expect.objectContaining({ via: "expired", sequence: 2, at: at(20 * HOUR + 1000) }),
    ]);
    expect(r.output).toMatchObject({
      state: "rejected",
      reason: "Pending longer than the maximum age PT20H since we first saw it; rejected as expired.",
    });
  });

  it("escalates to the policy's contacts, who may then decide", async () => {
    const h = await estate(
      TEST_POLICY.replace(
        "reminders: [PT24H]",
        "reminders: []\n    escalation: { after: PT30H, to: [lead@contoso.example] }",
      ),
      false,
    );
    await h.bookkeeping.upsertTenant(aTenant({ subscriptions: [CONSUMER_SUB.replace("c1", "c2")] }));
    const r = await run(
      h,
      {},
      {
        events: [
          { afterMs: 31 * HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "lead@contoso.example" } },
        ],
      },
    );
    const asked = r.inputs(ActivityNames.requestApproval) as { kind: string; recipients?: string[] }[];
    expect(asked.map((a) => a.kind)).toEqual(["request", "escalation"]);
    expect(asked[1]?.recipients).toEqual(["lead@contoso.example"]);
    expect(r.output).toMatchObject({ state: "approved", decidedBy: "lead@contoso.example" });
  });
});

describe("expiry and a time-bound approval", () => {
  it("an expired request is rejected with the expiry reason and description", async () => {
    const h = await estate(TEST_POLICY.replace("default:\n", "maxPendingAge: PT1H\ndefault:\n"), false);
    const r = await run(h);
    const reason = "Pending longer than the maximum age PT1H since we first saw it; rejected as expired.";
    expect(r.inputs(ActivityNames.recordHumanDecision)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        via: "expired",
        decision: "reject",
        actor: "policy:default",
        reason,
        sequence: 1,
        at: at(HOUR + 1000),
      },
    ]);
    expect(r.output).toMatchObject({ state: "rejected", reason, decidedBy: "policy:default" });
    expect(h.gateway.writes).toHaveLength(1);
    expect(h.gateway.writes[0]?.description).not.toMatch(/^Rejected by/);
  });

  it("a time-bound approval records its period, tells of the end, and records the end", async () => {
    const h = await estate(
      TEST_POLICY.replace(
        "reason: A registered tenant from its own subscription. }",
        "reason: A registered tenant from its own subscription., validFor: P8D }",
      ),
    );
    const r = await run(
      h,
      {},
      {
        events: [{ afterMs: 7 * 24 * HOUR, name: RENEW_EVENT, body: { by: "alice", reason: "still needed" } }],
      },
    );
    const periods = r.inputs(ActivityNames.recordApprovalPeriod) as Record<string, unknown>[];
    expect(periods).toEqual([
      expect.objectContaining({ run: RUN, connectionId: CONN, sequence: 0 }),
      expect.objectContaining({ renewedBy: "alice", reason: "still needed", sequence: 2, at: at(7 * 24 * HOUR) }),
    ]);
    expect(periods[0]).not.toHaveProperty("renewedBy");
    expect(r.statuses.find((s) => s.step === "approved-until")).toEqual({
      step: "approved-until",
      verdict: "approve",
      ruleId: "known-tenant",
      state: "approved",
      validUntil: periods[0]?.validUntil,
    });
    expect(r.inputs(ActivityNames.requestApproval)).toHaveLength(2);
    expect(r.inputs(ActivityNames.requestApproval).slice(0, 1)).toEqual([
      expect.objectContaining({ kind: "expiring", run: RUN, tenant: expect.objectContaining({ tenantId: "contoso" }) }),
    ]);
    const endsAt = Date.parse(at(7 * 24 * HOUR)) + 8 * 24 * HOUR;
    expect(r.inputs(ActivityNames.endApproval)).toEqual([
      {
        instanceId: "review-1",
        run: RUN,
        connectionId: CONN,
        description: approvalEndedDescription(endsAt),
        at: new Date(endsAt).toISOString(),
      },
    ]);
    expect(r.inputs(ActivityNames.findEndpointConnections)).toEqual([
      { connectionId: CONN, reason: "approval period ended", observedAt: expect.any(String) },
    ]);
    expect(r.inputs(ActivityNames.removeDns)).toEqual([
      expect.objectContaining({ instanceId: "review-1", target: expect.objectContaining({ connectionId: CONN }) }),
    ]);
    expect(h.dns.records.size).toBe(0);
    expect(r.inputs(ActivityNames.recordApprovalEnd)).toEqual([
      expect.objectContaining({
        run: RUN,
        connectionId: CONN,
        result: expect.objectContaining({ outcome: "rejected" }),
      }),
    ]);
    expect(r.output).toMatchObject({ state: "removed", reason: "The approval period ended and was not renewed." });
    expect(r.statuses.at(-1)).toEqual({ step: "done", state: "removed" });
  });
});
