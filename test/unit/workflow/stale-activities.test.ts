import { describe, expect, it } from "vitest";
import { ActivityNames } from "../../../src/workflow/names";
import { aConnectionId, anArmConnection, aPrivateLinkServiceId } from "../../support/builders";
import { reviewHarness } from "../../support/review-harness";

// The acting steps of time-bound approvals and retention, called by their registered names: what each writes in
// ARM, the row and the audit trail, and what it leaves alone (and says so).

const AT = "2026-03-02T09:30:00.000Z";
const CONN = aConnectionId();
const ZONE = "privatelink.services.contoso.example";
const DESCRIPTION = "The approval period ended; ask again to reconnect.";

function setup() {
  const h = reviewHarness();
  const run = h.run;
  const saveRow = (extra: Record<string, unknown> = {}) =>
    h.bookkeeping.saveConnection({
      connectionId: CONN,
      state: "approved",
      providerResourceId: aPrivateLinkServiceId(),
      updatedAt: "2026-01-01T00:00:00.000Z",
      ...extra,
    });
  const audit = async () => h.bookkeeping.listAudit(CONN);
  return { h, run, saveRow, audit };
}

describe("recordApprovalPeriod", () => {
  it("records the first period on the autopilot's account, and a renewal on the renewer's", async () => {
    const { run, saveRow, audit } = setup();
    await saveRow();
    const period = { instanceId: "r1", run: "r1#1", connectionId: CONN, at: AT };
    await run(ActivityNames.recordApprovalPeriod, { ...period, validUntil: "2026-03-10T00:00:00.000Z", sequence: 0 });
    await run(ActivityNames.recordApprovalPeriod, {
      ...period,
      validUntil: "2026-03-20T00:00:00.000Z",
      sequence: 1,
      renewedBy: "alice@contoso.example",
      reason: "still needed",
    });
    await run(ActivityNames.recordApprovalPeriod, {
      ...period,
      validUntil: "2026-03-30T00:00:00.000Z",
      sequence: 2,
      renewedBy: "bob@contoso.example",
    });
    expect((await audit()).map(({ stepId, kind, actor, message }) => ({ stepId, kind, actor, message }))).toEqual([
      {
        stepId: "r1#1:valid-until-0",
        kind: "decision",
        actor: "autopilot",
        message: "Approved until 2026-03-10T00:00:00.000Z (the rule's validFor); renew it before then to keep it.",
      },
      {
        stepId: "r1#1:valid-until-1",
        kind: "decision",
        actor: "alice@contoso.example",
        message: "Approval renewed by alice@contoso.example until 2026-03-20T00:00:00.000Z: still needed.",
      },
      {
        stepId: "r1#1:valid-until-2",
        kind: "decision",
        actor: "bob@contoso.example",
        message: "Approval renewed by bob@contoso.example until 2026-03-30T00:00:00.000Z.",
      },
    ]);
  });
});

describe("endApproval", () => {
  const end = { instanceId: "r1", run: "r1#1", connectionId: CONN, description: DESCRIPTION, at: AT };

  it("rejects an Approved connection after one status read, and audits the ARM write", async () => {
    const { h, run, audit } = setup();
    h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
    expect(await run(ActivityNames.endApproval, end)).toEqual({ outcome: "rejected" });
    expect(h.gateway.reads).toEqual([{ method: "getConnection", id: CONN, detail: "status" }]);
    expect(h.gateway.writes).toEqual([
      { method: "setConnectionStatus", connectionId: CONN, status: "Rejected", description: DESCRIPTION },
    ]);
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "r1#1:arm-approval-ended",
        kind: "arm-write",
        actor: "autopilot",
        message: `Set Rejected: ${DESCRIPTION}`,
      }),
    ]);
    // A repeated run finds its own rejection and goes on with the records, writing nothing again.
    expect(await run(ActivityNames.endApproval, end)).toEqual({ outcome: "rejected" });
    expect(h.gateway.writes).toHaveLength(1);
  });

  it("leaves a connection ARM no longer has, or shows other than Approved, and says why", async () => {
    const { h, run, audit } = setup();
    expect(await run(ActivityNames.endApproval, end)).toEqual({
      outcome: "left",
      why: "the connection no longer exists in Azure",
    });
    h.gateway.addConnection(anArmConnection({ armStatus: "Rejected", description: "rejected by hand" }));
    expect(await run(ActivityNames.endApproval, end)).toEqual({
      outcome: "left",
      why: "Azure shows the connection Rejected, not Approved",
    });
    h.gateway.addConnection(anArmConnection({ armStatus: "Pending", description: DESCRIPTION }));
    expect(await run(ActivityNames.endApproval, end)).toEqual({
      outcome: "left",
      why: "Azure shows the connection Pending, not Approved",
    });
    expect(h.gateway.writes).toEqual([]);
    expect(await audit()).toEqual([]);
  });
});

describe("recordApprovalEnd", () => {
  const records = [
    { zone: ZONE, name: "a", ipAddresses: ["10.0.0.4"], outcome: "created" },
    { zone: ZONE, name: "b", ipAddresses: ["10.0.0.4"], outcome: "already-ours" },
    { zone: ZONE, name: "c", ipAddresses: ["10.0.0.4"], outcome: "conflict", detail: "someone else's" },
  ];
  const ended = (result: unknown) => ({ instanceId: "r1", run: "r1#1", connectionId: CONN, result, at: AT });

  it("after the rejection: the row removed and Rejected, our records removed, the quota given back", async () => {
    const { h, run, saveRow, audit } = setup();
    await saveRow({ tenantId: "contoso", dnsRecords: records });
    await h.bookkeeping.reserveQuota("contoso", CONN);
    await run(ActivityNames.recordApprovalEnd, ended({ outcome: "rejected" }));
    expect(await h.bookkeeping.getConnection(CONN)).toMatchObject({
      state: "removed",
      azureStatus: "Rejected",
      reason: "The approval period ended and was not renewed.",
      updatedAt: AT,
      dnsRecords: [
        expect.objectContaining({ name: "a", outcome: "removed" }),
        expect.objectContaining({ name: "b", outcome: "removed" }),
        expect.objectContaining({ name: "c", outcome: "conflict" }),
      ],
    });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "r1#1:approval-ended",
        kind: "state",
        actor: "autopilot",
        message: "The approval period ended: rejected in Azure, DNS records, row and quota removed.",
      }),
    ]);
  });

  it("a row without records or tenant is removed with none", async () => {
    const { h, run, saveRow } = setup();
    await saveRow();
    await run(ActivityNames.recordApprovalEnd, ended({ outcome: "rejected" }));
    expect(await h.bookkeeping.getConnection(CONN)).toMatchObject({ state: "removed", dnsRecords: [] });
  });

  it("when left alone: the row unchanged and the audit says why", async () => {
    const { h, run, saveRow, audit } = setup();
    await saveRow({ tenantId: "contoso", dnsRecords: records });
    await h.bookkeeping.reserveQuota("contoso", CONN);
    const before = await h.bookkeeping.getConnection(CONN);
    await run(ActivityNames.recordApprovalEnd, ended({ outcome: "left", why: "Azure shows it Rejected" }));
    expect(await h.bookkeeping.getConnection(CONN)).toEqual(before);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
    expect((await audit()).map((e) => e.message)).toEqual([
      "The approval period ended; nothing was changed: Azure shows it Rejected.",
    ]);
  });

  it("with no row, only the audit records the end", async () => {
    const { h, run, audit } = setup();
    await run(ActivityNames.recordApprovalEnd, ended({ outcome: "rejected" }));
    expect(await h.bookkeeping.getConnection(CONN)).toBeUndefined();
    expect(await audit()).toHaveLength(1);
  });
});

describe("deleteRetained", () => {
  const retained = { instanceId: "ret-1", connectionId: CONN, retention: "P30D", at: AT };
  const entries = async (h: ReturnType<typeof setup>) =>
    (await h.audit()).map(({ stepId, kind, actor, message }) => ({ stepId, kind, actor, message }));

  it("deletes a Rejected connection after one status read, and records why", async () => {
    const s = setup();
    await s.saveRow({ state: "rejected", azureStatus: "Rejected" });
    s.h.gateway.addConnection(anArmConnection({ armStatus: "Rejected" }));
    expect(await s.run(ActivityNames.deleteRetained, retained)).toBe("deleted");
    expect(s.h.gateway.reads).toEqual([{ method: "getConnection", id: CONN, detail: "status" }]);
    expect(s.h.gateway.writes).toEqual([{ method: "deleteConnection", connectionId: CONN }]);
    expect(await s.h.bookkeeping.getConnection(CONN)).toMatchObject({
      state: "removed",
      deletedAt: AT,
      reason: "Deleted on the provider side: Rejected for longer than the retention period P30D.",
    });
    expect(await entries(s)).toEqual([
      {
        stepId: "ret-1:retention",
        kind: "arm-write",
        actor: "autopilot",
        message: "Deleted the Rejected connection: older than the retention period P30D.",
      },
    ]);
  });

  it("marks a connection already gone from ARM deleted, writing nothing in ARM", async () => {
    const s = setup();
    await s.saveRow({ state: "removed", azureStatus: "Disconnected" });
    expect(await s.run(ActivityNames.deleteRetained, retained)).toBe("absent");
    expect(s.h.gateway.writes).toEqual([]);
    expect(await s.h.bookkeeping.getConnection(CONN)).toMatchObject({ state: "removed", deletedAt: AT });
    expect(await entries(s)).toEqual([
      {
        stepId: "ret-1:retention",
        kind: "state",
        actor: "autopilot",
        message: "Retention: the connection was already gone from Azure; nothing to delete.",
      },
    ]);
  });

  it("keeps a connection approved by hand since, and the row follows ARM", async () => {
    const s = setup();
    await s.saveRow({ state: "rejected", azureStatus: "Rejected" });
    s.h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
    expect(await s.run(ActivityNames.deleteRetained, retained)).toBe("kept");
    expect(s.h.gateway.writes).toEqual([]);
    expect(await s.h.bookkeeping.getConnection(CONN)).toMatchObject({ state: "rejected", azureStatus: "Approved" });
    expect(await entries(s)).toEqual([
      {
        stepId: "ret-1:retention",
        kind: "state",
        actor: "autopilot",
        message: "Retention: Azure shows the connection Approved; it was kept.",
      },
    ]);
  });
});
