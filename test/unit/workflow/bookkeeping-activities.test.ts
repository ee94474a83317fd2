import { describe, expect, it } from "vitest";
import { ActivityNames } from "../../../src/workflow/names";
import { aConnectionId, anEndpointId, aPrivateLinkServiceId } from "../../support/builders";
import { reviewHarness } from "../../support/review-harness";

// The activities that write our own tables (outcome, human decisions, clean-up), driven by name through the
// in-memory ports: what the row, the quota and the audit trail say afterwards.

const AT = "2026-03-02T09:30:00.000Z";
const CONN = aConnectionId();
const PE = anEndpointId();
const ZONE = "privatelink.services.contoso.example";

async function withRow(state: "received" | "approved" | "awaiting-approval", extra: Record<string, unknown> = {}) {
  const h = reviewHarness();
  await h.bookkeeping.saveConnection({
    connectionId: CONN,
    state,
    providerResourceId: aPrivateLinkServiceId(),
    updatedAt: AT,
    ...extra,
  });
  const run = h.run;
  return { h, run, row: () => h.bookkeeping.getConnection(CONN), audit: () => h.bookkeeping.listAudit(CONN) };
}

const outcome = (extra: Record<string, unknown>) => ({
  instanceId: "i1",
  run: "i1#2",
  connectionId: CONN,
  providerResourceId: aPrivateLinkServiceId(),
  reason: "because",
  at: AT,
  ...extra,
});

describe("recordOutcome", () => {
  it("writes the decided state and its details, and audits it per run", async () => {
    const { run, row, audit } = await withRow("awaiting-approval");
    await run(
      ActivityNames.recordOutcome,
      outcome({ state: "rejected", verdict: "reject", ruleId: "r", decidedBy: "bob" }),
    );
    expect(await row()).toMatchObject({
      state: "rejected",
      verdict: "reject",
      ruleId: "r",
      reason: "because",
      decidedBy: "bob",
    });
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "i1#2:outcome",
        kind: "state",
        actor: "bob",
        message: "Review ended rejected: because",
      }),
    ]);
  });

  it("records a failure as an error by the autopilot", async () => {
    const { run, audit } = await withRow("received");
    await run(ActivityNames.recordOutcome, outcome({ state: "failed" }));
    expect(await audit()).toEqual([
      expect.objectContaining({ kind: "error", actor: "autopilot", message: "Review ended failed: because" }),
    ]);
  });

  it("keeps an earlier decision when a re-review is skipped, and replaces an undecided state", async () => {
    const decided = await withRow("approved", { reason: "first" });
    await decided.run(ActivityNames.recordOutcome, outcome({ state: "skipped", azureStatus: "Approved" }));
    expect(await decided.row()).toMatchObject({ state: "approved", reason: "first", azureStatus: "Approved" });
    for (const state of ["received", "awaiting-approval"] as const) {
      const open = await withRow(state);
      await open.run(ActivityNames.recordOutcome, outcome({ state: "skipped" }));
      expect(await open.row()).toMatchObject({ state: "skipped", reason: "because" });
    }
  });

  it("holds a unit of quota for an approval and gives it back for a rejection", async () => {
    const { h, run } = await withRow("received", { tenantId: "contoso" });
    await run(ActivityNames.recordOutcome, outcome({ state: "approved" }));
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
    await run(ActivityNames.recordOutcome, outcome({ state: "rejected", tenantId: "contoso" }));
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
    await run(ActivityNames.recordOutcome, outcome({ state: "failed" }));
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });

  it("records nothing for a connection it has no row for", async () => {
    const h = reviewHarness();
    await h.run(ActivityNames.recordOutcome, outcome({ state: "approved", tenantId: "contoso" }));
    expect(await h.bookkeeping.getConnection(CONN)).toBeUndefined();
    expect(await h.bookkeeping.listAudit(CONN)).toEqual([]);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });
});

describe("recordHumanDecision", () => {
  const decision = (extra: Record<string, unknown>) => ({
    instanceId: "i1",
    connectionId: CONN,
    actor: "alice@contoso.example",
    reason: "looks fine",
    sequence: 3,
    at: AT,
    ...extra,
  });

  it("says who decided what, through which channel", async () => {
    const { run, audit } = await withRow("awaiting-approval");
    await run(ActivityNames.recordHumanDecision, decision({ via: "event", channel: "teams", decision: "approve" }));
    await run(ActivityNames.recordHumanDecision, decision({ via: "deadline", sequence: 4 }));
    expect(await audit()).toEqual([
      expect.objectContaining({
        stepId: "i1:human-event-3",
        actor: "alice@contoso.example",
        message: "approve (event via teams): looks fine",
        data: { channel: "teams", decision: "approve" },
      }),
      expect.objectContaining({ stepId: "i1:human-deadline-4", message: "no decision (deadline): looks fine" }),
    ]);
    expect((await audit())[1]).not.toHaveProperty("data");
  });

  it("says an invalid or refused decision was ignored", async () => {
    const { run, audit } = await withRow("awaiting-approval");
    await run(ActivityNames.recordHumanDecision, decision({ via: "invalid-event", sequence: 1 }));
    await run(ActivityNames.recordHumanDecision, decision({ via: "refused", sequence: 2, decision: "approve" }));
    expect((await audit()).map((e) => e.message)).toEqual([
      "An approval event was ignored: looks fine",
      "An approval event was ignored: looks fine",
    ]);
  });
});

describe("clean-up bookkeeping", () => {
  const records = [
    { zone: ZONE, name: "a", ipAddresses: ["10.0.0.4"], outcome: "created" },
    { zone: ZONE, name: "b", ipAddresses: ["10.0.0.4"], outcome: "already-ours" },
    { zone: ZONE, name: "c", ipAddresses: ["10.0.0.4"], outcome: "conflict", detail: "someone else's" },
  ];

  it("finds the records an endpoint's connections own, and a bare target for an unknown connection", async () => {
    const { run } = await withRow("approved", { privateEndpointId: PE, tenantId: "contoso", dnsRecords: records });
    expect(await run(ActivityNames.findEndpointConnections, { privateEndpointId: PE })).toEqual([
      {
        connectionId: CONN,
        privateEndpointId: PE,
        tenantId: "contoso",
        dnsRecords: [
          { zone: ZONE, name: "a" },
          { zone: ZONE, name: "b" },
        ],
      },
    ]);
    const other = aConnectionId({ name: "other" });
    expect(await run(ActivityNames.findEndpointConnections, { connectionId: other })).toEqual([
      { connectionId: other, dnsRecords: [] },
    ]);
    expect(await run(ActivityNames.findEndpointConnections, {})).toEqual([]);
  });

  it("removes the endpoint's own records, keeps another's, and counts both", async () => {
    const { h, run } = await withRow("approved");
    h.dns.put({ zone: ZONE, name: "a", ipAddresses: ["10.0.0.4"], ownerEndpoint: PE.toLowerCase() });
    h.dns.put({ zone: ZONE, name: "b", ipAddresses: ["10.0.0.5"], ownerEndpoint: anEndpointId("pe-2").toLowerCase() });
    const target = {
      connectionId: CONN,
      privateEndpointId: PE,
      dnsRecords: [
        { zone: ZONE, name: "a" },
        { zone: ZONE, name: "b" },
        { zone: ZONE, name: "gone" },
      ],
    };
    expect(await run(ActivityNames.removeDns, { instanceId: "c1", target, at: AT })).toEqual({ removed: 2, kept: 1 });
    expect([...h.dns.records.keys()]).toEqual([`${ZONE}|b`]);
    const messages = (await h.bookkeeping.listAudit(CONN)).map((e) => e.message);
    expect(messages).toContain(`Removed a.${ZONE} (removed).`);
    expect(messages).toContain(`Kept b.${ZONE}: The record belongs to another endpoint; it was kept.`);
    expect(messages).toContain(`Removed gone.${ZONE} (absent).`);
    const { privateEndpointId: _, ...noEndpoint } = target;
    expect(await run(ActivityNames.removeDns, { instanceId: "c1", target: noEndpoint, at: AT })).toEqual({
      removed: 0,
      kept: 0,
    });
  });

  it("marks a deleted connection removed and Disconnected, its records removed, its quota given back", async () => {
    const { h, run, row, audit } = await withRow("approved", { tenantId: "contoso", dnsRecords: records });
    await h.bookkeeping.reserveQuota("contoso", CONN);
    const target = { connectionId: CONN, dnsRecords: [] };
    await run(ActivityNames.recordRemoval, {
      instanceId: "c1",
      target,
      providerConnection: "deleted",
      reason: "gone",
      at: AT,
    });
    expect(await row()).toMatchObject({
      state: "removed",
      reason: "gone",
      azureStatus: "Disconnected",
      dnsRecords: [
        expect.objectContaining({ name: "a", outcome: "removed" }),
        expect.objectContaining({ name: "b", outcome: "removed" }),
        expect.objectContaining({ name: "c", outcome: "conflict" }),
      ],
    });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
    expect(await audit()).toEqual([
      expect.objectContaining({ stepId: "c1:removed", kind: "state", actor: "autopilot", message: "Cleaned up: gone" }),
    ]);
  });
});
