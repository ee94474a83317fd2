import { describe, expect, it } from "vitest";
import { PermanentError, PermanentCodes, TransientError } from "../../../src/ports/errors";
import { removeOurDnsRecords } from "../../../src/workflow/cleanup.activities";
import { ActivityNames } from "../../../src/workflow/names";
import {
  aConnectionId,
  anArmConnection,
  anEndpoint,
  anEndpointId,
  aPrivateLinkServiceId,
} from "../../support/builders";
import { reviewHarness } from "../../support/review-harness";

// The clean-up's activities, called by their registered names: what each one concludes from ARM (and why, as the
// operator reads it in the output and the audit), what it reads, and what it leaves in our tables.

const AT = "2026-03-02T09:30:00.000Z";
const CONN = aConnectionId();
const PE = anEndpointId();
const ZONE = "privatelink.services.contoso.example";

function setup() {
  const h = reviewHarness();
  const run = h.run;
  const saveRow = (extra: Record<string, unknown> = {}) =>
    h.bookkeeping.saveConnection({
      connectionId: CONN,
      state: "approved",
      providerResourceId: aPrivateLinkServiceId(),
      privateEndpointId: PE,
      updatedAt: AT,
      ...extra,
    });
  return { h, run, saveRow };
}

const confirm = (target: Record<string, unknown> = { connectionId: CONN, privateEndpointId: PE, dnsRecords: [] }) => ({
  instanceId: "c1",
  target,
  at: AT,
});

describe("confirmGone: what ARM shows decides, and why is said", () => {
  it.each([
    [
      "the connection Disconnected",
      { armStatus: "Disconnected" },
      true,
      { gone: true, endpointGone: false, why: "ARM shows the connection Disconnected" },
    ],
    [
      "a status this app does not know, even with the endpoint gone",
      { armStatus: "Unknown" },
      false,
      { gone: false, endpointGone: false, why: "ARM shows a status this app does not know" },
    ],
    [
      "an Approved connection whose endpoint ARM answers 404 for",
      { armStatus: "Approved" },
      false,
      { gone: true, endpointGone: true, why: "ARM answers 404 for the private endpoint" },
    ],
    [
      "an Approved connection with a live endpoint",
      { armStatus: "Approved" },
      true,
      { gone: false, endpointGone: false, why: "ARM shows the connection Approved and its endpoint alive" },
    ],
    [
      "a Pending connection that names no endpoint",
      { armStatus: "Pending", privateEndpointId: "" },
      true,
      { gone: false, endpointGone: false, why: "ARM shows the connection Pending with no endpoint to check" },
    ],
  ])("%s", async (_name, connection, endpointAlive, verdict) => {
    const { h, run } = setup();
    h.gateway.addConnection(anArmConnection(connection as never));
    if (endpointAlive) h.gateway.addEndpoint(anEndpoint());
    expect(await run(ActivityNames.confirmGone, confirm())).toEqual(verdict);
  });

  it("without the connection in ARM, the recorded endpoint decides", async () => {
    const { h, run } = setup();
    expect(await run(ActivityNames.confirmGone, confirm({ connectionId: CONN, dnsRecords: [] }))).toEqual({
      gone: true,
      endpointGone: false,
      why: "ARM has no such connection and no endpoint was recorded",
    });
    h.gateway.addEndpoint(anEndpoint());
    expect(await run(ActivityNames.confirmGone, confirm())).toEqual({
      gone: false,
      endpointGone: false,
      why: "ARM shows the endpoint alive",
    });
    h.gateway.endpoints.clear();
    expect(await run(ActivityNames.confirmGone, confirm())).toEqual({
      gone: true,
      endpointGone: true,
      why: "ARM answers 404 for the private endpoint",
    });
  });

  it("reads the connection's status only and the endpoint without its network interfaces", async () => {
    const { h, run } = setup();
    h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
    h.gateway.addEndpoint(anEndpoint());
    await run(ActivityNames.confirmGone, confirm());
    expect(h.gateway.reads).toEqual([
      { method: "getConnection", id: CONN, detail: "status" },
      { method: "getPrivateEndpoint", id: PE, detail: "endpoint-only" },
    ]);
  });

  it("keeps what it cannot read (a permanent error), and lets a transient error go to the retry", async () => {
    const { h, run } = setup();
    h.gateway.failNext("getConnection", new PermanentError(PermanentCodes.forbidden, "no"));
    expect(await run(ActivityNames.confirmGone, confirm())).toEqual({
      gone: false,
      endpointGone: false,
      why: "the connection could not be read (ARM_FORBIDDEN)",
    });
    h.gateway.failNext("getConnection", new TransientError("ARM_THROTTLED", "slow down"));
    await expect(run(ActivityNames.confirmGone, confirm())).rejects.toThrow("slow down");

    h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
    h.gateway.addEndpoint(anEndpoint(), { forbidden: true });
    expect(await run(ActivityNames.confirmGone, confirm())).toEqual({
      gone: false,
      endpointGone: false,
      why: "the endpoint could not be read (ARM_FORBIDDEN)",
    });
    h.gateway.failNext("getPrivateEndpoint", new TransientError("ARM_THROTTLED", "later"));
    await expect(run(ActivityNames.confirmGone, confirm())).rejects.toThrow("later");
  });

  it("audits a kept connection we have a row for, once per run, and says why", async () => {
    const { h, run, saveRow } = setup();
    h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
    h.gateway.addEndpoint(anEndpoint());
    await run(ActivityNames.confirmGone, confirm());
    expect(await h.bookkeeping.listAudit(CONN)).toEqual([]); // no row: nothing of ours to annotate

    await saveRow();
    await run(ActivityNames.confirmGone, confirm());
    expect(await h.bookkeeping.listAudit(CONN)).toEqual([
      expect.objectContaining({
        stepId: `c1:kept@${AT}`,
        at: AT,
        kind: "signal",
        actor: "autopilot",
        message:
          "A signal said this connection is gone; nothing was removed: " +
          "ARM shows the connection Approved and its endpoint alive.",
      }),
    ]);

    h.gateway.endpoints.clear();
    await run(ActivityNames.confirmGone, { ...confirm(), instanceId: "c2" });
    expect(await h.bookkeeping.listAudit(CONN)).toHaveLength(1); // gone: nothing to say yet
  });
});

describe("findEndpointConnections", () => {
  it("finds only the rows of the endpoint named, a row without records owning none", async () => {
    const { h, run, saveRow } = setup();
    await saveRow();
    const other = aConnectionId({ name: "pe-2.conn" });
    await h.bookkeeping.saveConnection({
      connectionId: other,
      state: "approved",
      providerResourceId: aPrivateLinkServiceId(),
      privateEndpointId: anEndpointId("pe-2"),
      updatedAt: AT,
    });
    expect(await run(ActivityNames.findEndpointConnections, { privateEndpointId: PE })).toEqual([
      { connectionId: CONN, privateEndpointId: PE, dnsRecords: [] },
    ]);
  });
});

describe("deleteProviderConnection", () => {
  it("deletes a dead connection after reading its status only, and audits the ARM write", async () => {
    const { h, run } = setup();
    h.gateway.addConnection(anArmConnection({ armStatus: "Disconnected" }));
    expect(await run(ActivityNames.deleteProviderConnection, { instanceId: "c1", connectionId: CONN, at: AT })).toEqual(
      { ok: true, value: "deleted" },
    );
    expect(h.gateway.reads).toEqual([{ method: "getConnection", id: CONN, detail: "status" }]);
    expect(await h.bookkeeping.listAudit(CONN)).toEqual([
      expect.objectContaining({
        stepId: "c1:arm-delete",
        kind: "arm-write",
        actor: "autopilot",
        message: "Deleted the Disconnected connection on the provider side.",
      }),
    ]);
  });
});

describe("recordRemoval", () => {
  const removal = (providerConnection: string, target: Record<string, unknown> = {}) => ({
    instanceId: "c1",
    target: { connectionId: CONN, privateEndpointId: PE, dnsRecords: [], ...target },
    providerConnection,
    reason: "gone",
    at: AT,
  });

  it.each(["absent", "kept", "error ARM_FORBIDDEN"])(
    "changes nothing while ARM shows the connection alive (provider side %s)",
    async (providerConnection) => {
      const { h, run, saveRow } = setup();
      await saveRow({ tenantId: "contoso" });
      await h.bookkeeping.reserveQuota("contoso", CONN);
      h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
      h.gateway.addEndpoint(anEndpoint());
      const before = await h.bookkeeping.getConnection(CONN);

      await run(ActivityNames.recordRemoval, removal(providerConnection));

      expect(await h.bookkeeping.getConnection(CONN)).toEqual(before);
      expect(await h.bookkeeping.quotaUsage("contoso")).toBe(1);
      expect(await h.bookkeeping.listAudit(CONN)).toEqual([]);
    },
  );

  it("a connection ARM no longer has is removed and Disconnected; a row without records keeps none", async () => {
    const { h, run, saveRow } = setup();
    await saveRow({ tenantId: "contoso", azureStatus: "Approved" });
    await h.bookkeeping.reserveQuota("contoso", CONN);
    await run(ActivityNames.recordRemoval, removal("absent"));
    expect(await h.bookkeeping.getConnection(CONN)).toMatchObject({
      state: "removed",
      azureStatus: "Disconnected",
      dnsRecords: [],
    });
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });

  it("a failed provider delete does not claim ARM shows the connection Disconnected", async () => {
    const { h, run, saveRow } = setup();
    await saveRow({ azureStatus: "Approved" });
    // Gone because the endpoint answers 404, while ARM still lists the connection Approved.
    h.gateway.addConnection(anArmConnection({ armStatus: "Approved" }));
    await run(ActivityNames.recordRemoval, removal("error ARM_FORBIDDEN"));
    expect(await h.bookkeeping.getConnection(CONN)).toMatchObject({ state: "removed", azureStatus: "Approved" });
  });

  it("with neither a row nor a tenant, only the audit says it was cleaned up", async () => {
    const { h, run } = setup();
    await run(ActivityNames.recordRemoval, removal("deleted"));
    expect(await h.bookkeeping.getConnection(CONN)).toBeUndefined();
    expect((await h.bookkeeping.listAudit(CONN)).map((e) => e.message)).toEqual(["Cleaned up: gone"]);
  });
});

describe("removeOurDnsRecords", () => {
  it("appends why to each removal it audits", async () => {
    const { h } = setup();
    h.dns.put({ zone: ZONE, name: "a", ipAddresses: ["10.0.0.4"], ownerEndpoint: PE.toLowerCase() });
    const kept = await removeOurDnsRecords(
      { dns: h.dns, bookkeeping: h.bookkeeping },
      {
        connectionId: CONN,
        privateEndpointId: PE,
        records: [{ zone: ZONE, name: "a" }],
        at: AT,
        stepId: (r) => `off:${r.name}`,
        why: "the tenant was offboarded",
      },
    );
    expect(kept.size).toBe(0);
    expect((await h.bookkeeping.listAudit(CONN)).map((e) => e.message)).toEqual([
      `Removed a.${ZONE} (removed): the tenant was offboarded.`,
    ]);
  });
});
