import { describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "../../../src/ports/errors";
import type { ArmConnection } from "../../../src/ports/connection-gateway.port";
import { toConnectionRequest } from "../../../src/workflow/connection-request";
import type { ApplyDecisionInput, DecideInput, StepResult } from "../../../src/workflow/contracts";
import { describeDecision } from "../../../src/workflow/decision-description";
import { ActivityNames, type ActivityName } from "../../../src/workflow/names";
import {
  aConnectionId,
  anArmConnection,
  anEndpointId,
  aPrivateLinkServiceId,
  aTenant,
  CONSUMER_SUB,
} from "../../support/builders";
import { reviewHarness, TEST_POLICY } from "../../support/review-harness";

// The review's activities driven one by one through the in-memory ports, by their registered names: what they
// refuse and with which reason, which ARM write they make with what, what the quota, the row and the audit say.

const AT = "2026-03-02T09:30:00.000Z";
const OTHER_SUB = "00000000-0000-0000-0000-0000000000d9";
const connection = anArmConnection();
const CONN = connection.connectionId;

async function estate(policyText = TEST_POLICY) {
  const h = reviewHarness(policyText);
  h.gateway.addConnection(connection);
  await h.bookkeeping.upsertTenant(aTenant());
  await h.bookkeeping.saveConnection({
    connectionId: CONN,
    state: "received",
    providerResourceId: connection.providerResourceId,
    updatedAt: AT,
  });
  const call = <T>(name: ActivityName, input: unknown): Promise<T> =>
    (h.activities[name] as (input: unknown) => Promise<T>)(input);
  return { h, call, audit: () => h.bookkeeping.listAudit(CONN), row: () => h.bookkeeping.getConnection(CONN) };
}

const apply = (extra: Partial<ApplyDecisionInput> = {}): ApplyDecisionInput => ({
  instanceId: "i1",
  run: "i1@t",
  connectionId: CONN,
  status: "Approved",
  description: "Approved by ops@contoso.example (rule r)",
  actor: "ops@contoso.example",
  judged: {
    privateEndpointId: anEndpointId(),
    consumerSubscriptionId: CONSUMER_SUB,
    tenantId: "contoso",
    requestMessage: "please",
  },
  overQuotaAllowed: false,
  at: AT,
  ...extra,
});

const decideInput = (extra: Partial<DecideInput> = {}, firstSeenAt = AT): DecideInput => ({
  instanceId: "i1",
  run: "i1@t",
  request: toConnectionRequest(connection, "event-grid", AT, "contoso"),
  tenant: { ...aTenant(), usage: 0 },
  now: AT,
  apply: { firstSeenAt },
  ...extra,
});

const refusal = (code: string, message: string) => ({ ok: false, code, message });

describe("applyDecision", () => {
  it("reads the status only, writes the status and description, audits the write and holds a unit of quota", async () => {
    const { h, call, audit } = await estate();
    const result = await call<StepResult<ArmConnection>>(ActivityNames.applyDecision, apply());

    expect(h.gateway.reads).toEqual([{ method: "getConnection", id: CONN, detail: "status" }]);
    expect(h.gateway.writes).toEqual([
      {
        method: "setConnectionStatus",
        connectionId: CONN,
        status: "Approved",
        description: "Approved by ops@contoso.example (rule r)",
      },
    ]);
    const { requestMessage: _m, providerResourceTags: _t, location: _l, ...status } = connection;
    expect(result).toEqual({
      ok: true,
      value: { ...status, armStatus: "Approved", description: "Approved by ops@contoso.example (rule r)" },
    });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "i1@t:arm-Approved",
        at: AT,
        kind: "arm-write",
        actor: "ops@contoso.example",
        message: "Set Approved: Approved by ops@contoso.example (rule r)",
      }),
    ]);
  });

  it("refuses a connection that no longer exists", async () => {
    const { h, call } = await estate();
    const other = aConnectionId({ name: "gone" });
    expect(await call(ActivityNames.applyDecision, apply({ connectionId: other }))).toEqual(
      refusal("ARM_NOT_FOUND", `The connection ${other} no longer exists.`),
    );
    expect(h.gateway.writes).toEqual([]);
  });

  it("finds its own earlier write done: writes nothing again, audits it and returns ARM's state", async () => {
    const { h, call, audit } = await estate();
    h.gateway.addConnection({ ...connection, armStatus: "Approved" });
    const result = await call<StepResult<ArmConnection>>(ActivityNames.applyDecision, apply());
    expect(result).toMatchObject({ ok: true, value: { armStatus: "Approved" } });
    expect(h.gateway.writes).toEqual([]);
    expect((await audit()).map((e) => e.stepId)).toEqual(["i1@t:arm-Approved"]);
  });

  it("leaves a connection someone else decided as it is", async () => {
    const { h, call, audit } = await estate();
    h.gateway.addConnection({ ...connection, armStatus: "Rejected" });
    expect(await call(ActivityNames.applyDecision, apply())).toEqual(
      refusal("CONNECTION_NOT_PENDING", "The connection is Rejected, not Pending; it was left as it is."),
    );
    expect(h.gateway.writes).toEqual([]);
    expect(await audit()).toEqual([]);
  });

  it("names every fact that differs from what policy judged, and writes nothing", async () => {
    const { h, call } = await estate();
    await h.bookkeeping.upsertTenant(aTenant({ tenantId: "fabrikam", subscriptions: [OTHER_SUB] }));
    const judged = {
      privateEndpointId: anEndpointId("pe-9", OTHER_SUB),
      consumerSubscriptionId: OTHER_SUB,
      tenantId: "fabrikam",
      requestMessage: "something else",
    };
    expect(await call(ActivityNames.applyDecision, apply({ judged }))).toEqual(
      refusal(
        "CONNECTION_MISMATCH",
        `What policy judged is not what Azure shows (endpoint ${judged.privateEndpointId} was judged, ARM shows ${anEndpointId()}; ` +
          `subscription ${OTHER_SUB} was judged, ARM shows ${CONSUMER_SUB}; ` +
          "tenant fabrikam was judged, the subscription belongs to contoso; " +
          "the request message policy judged is not the one ARM shows); nothing was written.",
      ),
    );
    expect(h.gateway.writes).toEqual([]);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });

  it("says 'none' for a fact absent on either side", async () => {
    const judgedNothing = await estate();
    expect(await judgedNothing.call(ActivityNames.applyDecision, apply({ judged: {} }))).toEqual(
      refusal(
        "CONNECTION_MISMATCH",
        `What policy judged is not what Azure shows (endpoint none was judged, ARM shows ${anEndpointId()}; ` +
          `subscription none was judged, ARM shows ${CONSUMER_SUB}; ` +
          "tenant none was judged, the subscription belongs to contoso; " +
          "the request message policy judged is not the one ARM shows); nothing was written.",
      ),
    );

    const armNothing = await estate();
    const { privateEndpointId: _e, requestMessage: _m, ...bare } = connection;
    armNothing.h.gateway.addConnection(bare);
    expect(await armNothing.call(ActivityNames.applyDecision, apply())).toEqual(
      refusal(
        "CONNECTION_MISMATCH",
        `What policy judged is not what Azure shows (endpoint ${anEndpointId()} was judged, ARM shows none; ` +
          `subscription ${CONSUMER_SUB} was judged, ARM shows none; ` +
          "tenant contoso was judged, the subscription belongs to no known tenant; " +
          "the request message policy judged is not the one ARM shows); nothing was written.",
      ),
    );
    expect(armNothing.h.gateway.writes).toEqual([]);
  });

  it("compares ids case-insensitively and takes an absent message as an empty one", async () => {
    const { h, call } = await estate();
    h.gateway.addConnection({ ...connection, requestMessage: "" });
    const judged = {
      privateEndpointId: anEndpointId().toUpperCase(),
      consumerSubscriptionId: CONSUMER_SUB.toUpperCase(),
      tenantId: "CONTOSO",
    };
    expect(await call(ActivityNames.applyDecision, apply({ judged }))).toMatchObject({ ok: true });
    expect(h.gateway.writes).toHaveLength(1);

    // The other way round: an empty message judged, none shown by ARM.
    const reverse = await estate();
    const { requestMessage: _m, ...silent } = connection;
    reverse.h.gateway.addConnection(silent);
    const emptyJudged = { ...apply().judged, requestMessage: "" };
    expect(await reverse.call(ActivityNames.applyDecision, apply({ judged: emptyJudged }))).toMatchObject({ ok: true });
    expect(reverse.h.gateway.writes).toHaveLength(1);
  });

  it("an endpoint in no known tenant's subscription is written when that is what policy judged", async () => {
    const { h, call } = await estate();
    const endpoint = anEndpointId("pe-1", OTHER_SUB);
    h.gateway.addConnection({ ...connection, privateEndpointId: endpoint });
    const judged = { privateEndpointId: endpoint, consumerSubscriptionId: OTHER_SUB, requestMessage: "please" };
    expect(await call(ActivityNames.applyDecision, apply({ judged, status: "Rejected" }))).toMatchObject({ ok: true });
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Rejected"]);
  });

  it("refuses an approval past the tenant's quota, and a person's approval may pass it", async () => {
    const { h, call } = await estate();
    await h.bookkeeping.upsertTenant(aTenant({ quota: 1 }));
    await h.bookkeeping.reserveQuota("contoso", aConnectionId({ name: "first" }));

    expect(await call(ActivityNames.applyDecision, apply())).toEqual(
      refusal("QUOTA_EXHAUSTED", "Tenant contoso has used its quota of 1; nothing was written."),
    );
    expect(h.gateway.writes).toEqual([]);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);

    expect(await call(ActivityNames.applyDecision, apply({ overQuotaAllowed: true }))).toMatchObject({ ok: true });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(2);
  });

  it("a rejection reserves no quota, even at the limit", async () => {
    const { h, call } = await estate();
    await h.bookkeeping.upsertTenant(aTenant({ quota: 1 }));
    await h.bookkeeping.reserveQuota("contoso", aConnectionId({ name: "first" }));
    const result = await call(ActivityNames.applyDecision, apply({ status: "Rejected", description: "no" }));
    expect(result).toMatchObject({ ok: true, value: { armStatus: "Rejected", description: "no" } });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
  });

  it("gives the unit of quota back when the write fails, and the failure goes on to the retry", async () => {
    const { h, call } = await estate();
    const failure = new TransientError("ARM_THROTTLED", "429");
    h.gateway.failNext("setConnectionStatus", failure);
    await expect(call(ActivityNames.applyDecision, apply())).rejects.toBe(failure);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);

    const rejection = new TransientError("ARM_THROTTLED", "429 again");
    h.gateway.failNext("setConnectionStatus", rejection);
    await expect(call(ActivityNames.applyDecision, apply({ status: "Rejected" }))).rejects.toBe(rejection);
    expect(h.gateway.writes).toEqual([]);
  });

  it("a write that returns no body keeps what was read; a body's description, endpoint and groups win", async () => {
    const bodiless = await estate();
    bodiless.h.gateway.addConnection({ ...connection, description: "old", groupIds: ["blob"] });
    bodiless.h.gateway.setConnectionStatus = async (_id, status) =>
      ({ connectionId: CONN, armStatus: status, groupIds: [] }) as unknown as ArmConnection;
    const kept = await bodiless.call<StepResult<ArmConnection>>(ActivityNames.applyDecision, apply());
    expect(kept).toMatchObject({
      ok: true,
      value: { armStatus: "Approved", description: "old", groupIds: ["blob"], privateEndpointId: anEndpointId() },
    });
    expect(kept.ok && kept.value).not.toHaveProperty("requestMessage");

    const full = await estate();
    full.h.gateway.setConnectionStatus = async (_id, status, description) => ({
      ...connection,
      armStatus: status,
      description,
      privateEndpointId: anEndpointId("pe-2"),
      groupIds: ["sqlServer"],
    });
    expect(await full.call(ActivityNames.applyDecision, apply())).toMatchObject({
      ok: true,
      value: {
        description: "Approved by ops@contoso.example (rule r)",
        privateEndpointId: anEndpointId("pe-2"),
        groupIds: ["sqlServer"],
      },
    });
  });
});

describe("decide (judged and written on one read)", () => {
  it("records policy's verdict on the row and in the audit, with who decided and why", async () => {
    const { h, call, audit, row } = await estate();
    const result = await call<StepResult<{ policyVersion: string; written?: ArmConnection }>>(
      ActivityNames.decide,
      decideInput(),
    );
    expect(result).toMatchObject({ ok: true, value: { verdict: "approve", ruleId: "known-tenant" } });
    const version = result.ok ? result.value.policyVersion : "";
    expect(await row()).toMatchObject({ state: "received", verdict: "approve", ruleId: "known-tenant" });
    const description = describeDecision(
      { verdict: "approve", actor: "policy:known-tenant" },
      { ruleId: "known-tenant", policyVersion: version },
    );
    expect(h.gateway.writes).toEqual([
      { method: "setConnectionStatus", connectionId: CONN, status: "Approved", description },
    ]);
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "i1@t:decision",
        kind: "decision",
        actor: "policy:known-tenant",
        message: `Policy ${version} says approve: A registered tenant from its own subscription.`,
      }),
      expect.objectContaining({ stepId: "i1@t:arm-Approved", actor: "policy:known-tenant" }),
    ]);
  });

  it("a rejection by rule is written as Rejected with the rule's description", async () => {
    const { h, call } = await estate();
    await h.bookkeeping.upsertTenant(aTenant({ status: "suspended" }));
    const result = await call<StepResult<{ policyVersion: string }>>(ActivityNames.decide, decideInput());
    const version = result.ok ? result.value.policyVersion : "";
    expect(h.gateway.writes).toEqual([
      {
        method: "setConnectionStatus",
        connectionId: CONN,
        status: "Rejected",
        description: `Rejected by rule tenant-suspended (policy ${version})`,
      },
    ]);
  });

  it("a verdict for a person marks the row awaiting approval and writes nothing", async () => {
    const { h, call, row } = await estate();
    await h.bookkeeping.upsertTenant(aTenant({ subscriptions: [OTHER_SUB] }));
    const input = decideInput({ request: toConnectionRequest(connection, "event-grid", AT), tenant: undefined });
    expect(await call(ActivityNames.decide, input)).toMatchObject({ ok: true, value: { verdict: "review" } });
    expect(await row()).toMatchObject({ state: "awaiting-approval", verdict: "review" });
    expect(h.gateway.writes).toEqual([]);
  });

  it("keeps the row's group ids when the read shows none, and an older input's groups are not recorded", async () => {
    const { h, call, row } = await estate();
    await h.bookkeeping.saveConnection({ connectionId: CONN, groupIds: ["blob"], updatedAt: AT });
    await call(ActivityNames.decide, decideInput());
    expect((await row())?.groupIds).toEqual(["blob"]);

    const older = await estate();
    await older.h.bookkeeping.saveConnection({ connectionId: CONN, groupIds: ["blob"], updatedAt: AT });
    const request = toConnectionRequest({ ...connection, groupIds: ["sqlServer"] }, "event-grid", AT, "contoso");
    await older.call(ActivityNames.decide, decideInput({ request, apply: undefined }));
    expect((await older.row())?.groupIds).toEqual(["blob"]);
  });

  it("refuses a connection gone or decided by someone else, and one that differs from what was recorded", async () => {
    const gone = await estate();
    gone.h.gateway.connections.clear();
    expect(await gone.call(ActivityNames.decide, decideInput())).toEqual(
      refusal("ARM_NOT_FOUND", `The connection ${CONN} no longer exists.`),
    );

    const decided = await estate();
    decided.h.gateway.addConnection({ ...connection, armStatus: "Approved", description: "by hand" });
    expect(await decided.call(ActivityNames.decide, decideInput())).toEqual(
      refusal("CONNECTION_NOT_PENDING", "The connection is Approved, not Pending; it was left as it is."),
    );
    expect(await decided.audit()).toEqual([]);

    const moved = await estate();
    moved.h.gateway.addConnection({ ...connection, requestMessage: "changed" });
    expect(await moved.call(ActivityNames.decide, decideInput())).toMatchObject({
      ok: false,
      code: "CONNECTION_MISMATCH",
    });
    expect(moved.h.gateway.writes).toEqual([]);
    expect(await moved.audit()).toEqual([]);
  });

  it("a retry that finds its own recorded write returns it with the recorded trace; anything else is refused", async () => {
    const { h, call, audit } = await estate();
    await h.bookkeeping.appendAudit({
      connectionId: CONN,
      stepId: "i1@t:signal",
      at: AT,
      kind: "signal",
      actor: "x",
      message: "m",
    });
    const first = await call<StepResult<{ trace: unknown[]; written?: ArmConnection }>>(
      ActivityNames.decide,
      decideInput(),
    );
    expect(first.ok).toBe(true);
    const trace = first.ok ? first.value.trace : [];
    expect(trace.length).toBeGreaterThan(0);

    const again = await call<StepResult<{ trace: unknown[]; written?: ArmConnection }>>(
      ActivityNames.decide,
      decideInput(),
    );
    expect(again).toMatchObject({ ok: true, value: { verdict: "approve", trace, written: { armStatus: "Approved" } } });
    expect(h.gateway.writes).toHaveLength(1);
    expect((await audit()).filter((e) => e.kind === "arm-write")).toHaveLength(1);

    // Another run's retry (its own step id) did not write this: it is someone else's decision.
    expect(await call(ActivityNames.decide, decideInput({ run: "i1@u" }))).toMatchObject({
      ok: false,
      code: "CONNECTION_NOT_PENDING",
    });
  });

  it("a recorded decision without a trace reads back with an empty one", async () => {
    const { h, call } = await estate();
    const first = await call<StepResult<{ trace: unknown[]; policyVersion: string }>>(
      ActivityNames.decide,
      decideInput(),
    );
    const version = first.ok ? first.value.policyVersion : "";
    const entries = await h.bookkeeping.listAudit(CONN);
    const decision = entries.find((e) => e.kind === "decision")!;
    // The same run, its decision recorded with no trace (as an older version recorded it), ARM showing its write.
    const other = await estate();
    other.h.gateway.addConnection({
      ...connection,
      armStatus: "Approved",
      description: describeDecision(
        { verdict: "approve", actor: "policy:known-tenant" },
        { ruleId: "known-tenant", policyVersion: version },
      ),
    });
    await other.h.bookkeeping.appendAudit({
      ...decision,
      data: { decision: (decision.data as { decision: unknown }).decision },
    });
    expect(await other.call(ActivityNames.decide, decideInput())).toMatchObject({ ok: true, value: { trace: [] } });
  });

  it("a recorded write of another status or description is not taken as ours", async () => {
    const { h, call } = await estate();
    const first = await call<StepResult<{ policyVersion: string }>>(ActivityNames.decide, decideInput());
    expect(first.ok).toBe(true);
    h.gateway.addConnection({ ...connection, armStatus: "Approved", description: "Approved by hand" });
    expect(await call(ActivityNames.decide, decideInput())).toMatchObject({
      ok: false,
      code: "CONNECTION_NOT_PENDING",
    });
    const written = h.gateway.writes[0]!.description!;
    h.gateway.addConnection({ ...connection, armStatus: "Rejected", description: written });
    expect(await call(ActivityNames.decide, decideInput())).toMatchObject({
      ok: false,
      code: "CONNECTION_NOT_PENDING",
    });
  });

  it("a recorded verdict for a person is never taken as a write of ours", async () => {
    const { h, call } = await estate();
    await h.bookkeeping.upsertTenant(aTenant({ subscriptions: [OTHER_SUB] }));
    const input = decideInput({ request: toConnectionRequest(connection, "event-grid", AT), tenant: undefined });
    const first = await call<StepResult<{ ruleId: string; policyVersion: string }>>(ActivityNames.decide, input);
    expect(first).toMatchObject({ ok: true, value: { verdict: "review" } });
    const { ruleId, policyVersion } = first.ok ? first.value : { ruleId: "", policyVersion: "" };
    // ARM shows exactly what a rejection by that rule would have written.
    const description = describeDecision({ verdict: "reject", actor: `policy:${ruleId}` }, { ruleId, policyVersion });
    h.gateway.addConnection({ ...connection, armStatus: "Rejected", description });
    expect(await call(ActivityNames.decide, input)).toMatchObject({ ok: false, code: "CONNECTION_NOT_PENDING" });
  });

  it("writes nothing once the request is past the policy's maximum Pending age, and writes just before", async () => {
    const policy = TEST_POLICY.replace("default:\n", "maxPendingAge: PT30H\ndefault:\n");
    const expired = await estate(policy);
    const result = await expired.call(ActivityNames.decide, decideInput({}, "2026-03-01T03:30:00.000Z"));
    expect(result).toMatchObject({ ok: true, value: { verdict: "approve", maxPendingAge: "PT30H" } });
    expect(result).not.toHaveProperty("value.written");
    expect(expired.h.gateway.writes).toEqual([]);

    const inTime = await estate(policy);
    await inTime.call(ActivityNames.decide, decideInput({}, "2026-03-01T03:30:00.001Z"));
    expect(inTime.h.gateway.writes.map((w) => w.status)).toEqual(["Approved"]);
  });

  it("a policy that cannot be loaded ends the step with a reason, keeping a permanent failure's own", async () => {
    const broken = await estate();
    broken.h.policy.failure = new Error("blob not found");
    expect(await broken.call(ActivityNames.decide, decideInput())).toEqual(
      refusal("POLICY_UNAVAILABLE", "The policy could not be loaded: blob not found"),
    );
    broken.h.policy.failure = new PermanentError("STORAGE_FORBIDDEN", "no access");
    expect(await broken.call(ActivityNames.decide, decideInput())).toEqual(refusal("STORAGE_FORBIDDEN", "no access"));
    // A source that fails with something other than an Error (a bare string) is still named.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    broken.h.policy.load = () => Promise.reject("plain text");
    expect(await broken.call(ActivityNames.decide, decideInput())).toEqual(
      refusal("POLICY_UNAVAILABLE", "The policy could not be loaded: plain text"),
    );
    expect(broken.h.gateway.writes).toEqual([]);
  });
});

describe("recordRequest, readConnection and resolveTenant", () => {
  it("refuses an id that is not a connection's and records nothing", async () => {
    const { h, call } = await estate();
    const id = aPrivateLinkServiceId();
    expect(
      await call(ActivityNames.recordRequest, {
        instanceId: "i1",
        connectionId: id,
        source: "event-grid",
        observedAt: AT,
        at: AT,
      }),
    ).toEqual(refusal("CONNECTION_ID_INVALID", "The id is not a private endpoint connection id."));
    expect(await h.bookkeeping.listAudit(id)).toEqual([]);
  });

  it("audits the signal by its source, or by who asked, with the event id and observation time", async () => {
    const { call, audit } = await estate();
    const base = {
      instanceId: "i1",
      connectionId: CONN,
      source: "event-grid",
      observedAt: "2026-03-02T09:29:00.000Z",
      at: AT,
    };
    await call(ActivityNames.recordRequest, base);
    await call(ActivityNames.recordRequest, {
      ...base,
      run: "i1@2",
      requestedBy: "alice@contoso.example",
      eventId: "ev-1",
    });
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "i1:signal",
        kind: "signal",
        actor: "event-grid",
        message: "Review requested from event-grid.",
        data: { eventId: null, observedAt: "2026-03-02T09:29:00.000Z" },
      }),
      expect.objectContaining({
        stepId: "i1@2:signal",
        actor: "alice@contoso.example",
        data: { eventId: "ev-1", observedAt: "2026-03-02T09:29:00.000Z" },
      }),
    ]);
  });

  it("reads a connection ARM does not have as null", async () => {
    const { call } = await estate();
    expect(await call(ActivityNames.readConnection, { connectionId: aConnectionId({ name: "gone" }) })).toEqual({
      ok: true,
      value: null,
    });
  });

  it("records the endpoint's subscription and tenant; a claim of the same tenant in another case is no news", async () => {
    const { call, audit, row } = await estate();
    const input = { instanceId: "i1", connection, claimsTenantId: "CONTOSO", at: AT };
    expect(await call(ActivityNames.resolveTenant, input)).toMatchObject({ tenantId: "contoso" });
    expect(await row()).toMatchObject({
      consumerSubscriptionId: CONSUMER_SUB,
      tenantId: "contoso",
      azureStatus: "Pending",
    });
    expect(await audit()).toEqual([]);
  });

  it("audits a claimed tenant that ARM's subscription does not bear out", async () => {
    const { call, audit } = await estate();
    await call(ActivityNames.resolveTenant, { instanceId: "i1", connection, claimsTenantId: "fabrikam", at: AT });
    const foreign = { ...connection, privateEndpointId: anEndpointId("pe-1", OTHER_SUB) };
    expect(
      await call(ActivityNames.resolveTenant, {
        instanceId: "i1",
        run: "i1@2",
        connection: foreign,
        claimsTenantId: "fabrikam",
        at: AT,
      }),
    ).toBeNull();
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "i1:claims",
        kind: "signal",
        actor: "autopilot",
        message: "The signal claimed tenant fabrikam; ARM's subscription says contoso, which is what counts.",
        data: { claimsTenantId: "fabrikam" },
      }),
      expect.objectContaining({
        stepId: "i1@2:claims",
        message: "The signal claimed tenant fabrikam; ARM's subscription says an unknown tenant, which is what counts.",
      }),
    ]);
  });
});

describe("recordOutcome and recordHumanDecision", () => {
  it("a rejection replaces an earlier approval, and records the policy version and DNS details", async () => {
    const { h, call, row, audit } = await estate();
    await h.bookkeeping.saveConnection({ connectionId: CONN, state: "approved", updatedAt: AT });
    const records = [{ zone: "z", name: "n", ipAddresses: ["10.0.0.4"], outcome: "created" }];
    await call(ActivityNames.recordOutcome, {
      instanceId: "i1",
      connectionId: CONN,
      providerResourceId: connection.providerResourceId,
      state: "rejected",
      reason: "revoked",
      policyVersion: "v7",
      dnsRecords: records,
      dnsNote: "a note",
      at: AT,
    });
    expect(await row()).toMatchObject({
      state: "rejected",
      reason: "revoked",
      policyVersion: "v7",
      dnsRecords: records,
      dnsNote: "a note",
    });
    expect((await audit()).map((e) => e.kind)).toEqual(["state"]);
  });

  it("records a person's decision as a decision", async () => {
    const { call, audit } = await estate();
    await call(ActivityNames.recordHumanDecision, {
      instanceId: "i1",
      connectionId: CONN,
      via: "event",
      decision: "approve",
      actor: "ops@contoso.example",
      reason: "",
      sequence: 1,
      at: AT,
    });
    expect(await audit()).toEqual([expect.objectContaining({ kind: "decision", stepId: "i1:human-event-1" })]);
  });
});
