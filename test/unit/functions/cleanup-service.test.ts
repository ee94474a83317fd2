import { describe, expect, it } from "vitest";
import { cleanupSweep, DEFAULT_CLEANUP_LIMITS, type CleanupDeps } from "../../../src/app/cleanup-service";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { InMemoryConnectionGateway } from "../../../src/ports/connection-gateway.in-memory";
import { InMemoryDnsRegistrar } from "../../../src/ports/dns-registrar.in-memory";
import { TransientError } from "../../../src/ports/errors";
import { aConnectionId, anArmConnection, anEndpointId, aPrivateLinkServiceId, aTenant } from "../../support/builders";

const ZONE = "privatelink.services.contoso.example";
const norm = (id: string) => id.toLowerCase();

function estate() {
  const gateway = new InMemoryConnectionGateway();
  gateway.resources.push({ id: aPrivateLinkServiceId(), type: "Microsoft.Network/privateLinkServices" });
  const dns = new InMemoryDnsRegistrar();
  const bookkeeping = new InMemoryBookkeeping();
  const logs: string[] = [];
  const deps: CleanupDeps = {
    gateway,
    dns,
    bookkeeping,
    log: (m) => logs.push(m),
    now: () => "2026-01-01T02:30:00.000Z",
  };
  return { gateway, dns, bookkeeping, deps, logs };
}

/** A record as the registrar writes it for an endpoint and connection. */
function ours(name: string, connectionId: string, endpointId = anEndpointId(name)) {
  return {
    zone: ZONE,
    name,
    ipAddresses: ["10.1.0.9"],
    ownerEndpoint: norm(endpointId),
    ownerConnection: norm(connectionId),
  };
}

describe("clean-up sweep: orphaned DNS records", () => {
  it("removes our records whose connection is gone or not Approved, keeps live ones and others' records", async () => {
    const e = estate();
    const live = aConnectionId({ name: "live" });
    const rejected = aConnectionId({ name: "rejected" });
    e.gateway.addConnection(anArmConnection({ connectionId: live, armStatus: "Approved" }));
    e.gateway.addConnection(anArmConnection({ connectionId: rejected, armStatus: "Rejected" }));
    e.dns.put(ours("live", live));
    e.dns.put(ours("rejected", rejected));
    e.dns.put(ours("gone", aConnectionId({ name: "gone" })));
    e.dns.put({ zone: ZONE, name: "manual", ipAddresses: ["10.9.9.9"] }); // a person's record: no metadata
    await e.bookkeeping.saveConnection({
      connectionId: rejected,
      state: "rejected",
      providerResourceId: aPrivateLinkServiceId(),
      dnsRecords: [{ zone: ZONE, name: "rejected", ipAddresses: ["10.1.0.9"], outcome: "created" }],
      updatedAt: "2026-01-01T00:00:00.000Z",
    });

    const report = await cleanupSweep(e.deps);

    expect(report.orphanedDns.removed.map((r) => r.name).sort()).toEqual(["gone", "rejected"]);
    expect([...e.dns.records.values()].map((r) => r.name).sort()).toEqual(["live", "manual"]);
    const row = await e.bookkeeping.getConnection(rejected);
    expect(row?.dnsRecords?.[0]?.outcome).toBe("removed");
    expect((await e.bookkeeping.listAudit(rejected)).map((a) => a.kind)).toEqual(["dns"]);
    expect(e.logs.at(-1)).toMatch(/2 orphans removed/);
    expect(e.gateway.writes).toEqual([]); // judging records never writes to ARM

    // A second run finds nothing more to do.
    const again = await cleanupSweep(e.deps);
    expect(again.orphanedDns.removed).toEqual([]);
  });

  it("keeps a record when its connection cannot be read (fail closed)", async () => {
    const e = estate();
    e.dns.put(ours("unknown", aConnectionId({ name: "unknown" })));
    e.gateway.failNext("getConnection", new TransientError("ARM_UNAVAILABLE", "503"));
    const report = await cleanupSweep(e.deps);
    expect(report.orphanedDns).toMatchObject({ removed: [], kept: 1 });
    expect(report.orphanedDns.errors).toHaveLength(1);
    expect(e.dns.records.size).toBe(1);
  });

  it("never deletes a record rewritten after it was listed (If-Match on the listed ETag)", async () => {
    const e = estate();
    const gone = aConnectionId({ name: "gone" });
    e.dns.put(ours("gone", gone));
    const [listed] = await e.dns.listARecords(ZONE, 10);
    e.dns.put(ours("gone", gone)); // rewritten: new ETag
    expect((await e.dns.removeListedARecord(listed!)).outcome).toBe("changed");
    expect(e.dns.records.size).toBe(1);
  });

  it("is bounded per run: the rest is left for the next run", async () => {
    const e = estate();
    for (let i = 0; i < 5; i++) e.dns.put(ours(`gone-${i}`, aConnectionId({ name: `gone-${i}` })));
    const limits = { ...DEFAULT_CLEANUP_LIMITS, maxRecordRemovals: 2 };
    const first = await cleanupSweep(e.deps, limits);
    expect(first.orphanedDns).toMatchObject({ deferred: 3 });
    expect(first.orphanedDns.removed).toHaveLength(2);
    await cleanupSweep(e.deps, limits);
    await cleanupSweep(e.deps, limits);
    expect(e.dns.records.size).toBe(0);
  });
});

describe("clean-up sweep: offboarded tenants", () => {
  async function withApprovedConnection(e: ReturnType<typeof estate>, tenantStatus: "offboarded" | "suspended") {
    const connectionId = aConnectionId({ name: "contoso-1" });
    const endpointId = anEndpointId("pe-contoso");
    await e.bookkeeping.upsertTenant(aTenant({ status: tenantStatus }));
    e.gateway.addConnection(anArmConnection({ connectionId, armStatus: "Approved", privateEndpointId: endpointId }));
    e.dns.put(ours("contoso.pls-1", connectionId, endpointId));
    await e.bookkeeping.saveConnection({
      connectionId,
      state: "approved",
      providerResourceId: aPrivateLinkServiceId(),
      privateEndpointId: endpointId,
      tenantId: "contoso",
      dnsRecords: [{ zone: ZONE, name: "contoso.pls-1", ipAddresses: ["10.1.0.9"], outcome: "created" }],
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    await e.bookkeeping.reserveQuota("contoso", connectionId);
    return connectionId;
  }

  it("rejects an offboarded tenant's approved connection on ARM, removes its DNS, marks it removed, usage 0", async () => {
    const e = estate();
    const connectionId = await withApprovedConnection(e, "offboarded");

    // Whoever sees the row say removed must see the unit of quota back already.
    const usageWhenRemoved: number[] = [];
    const save = e.bookkeeping.saveConnection.bind(e.bookkeeping);
    e.bookkeeping.saveConnection = async (row) => {
      if (row.state === "removed") usageWhenRemoved.push(await e.bookkeeping.quotaUsage("contoso"));
      return save(row);
    };

    const report = await cleanupSweep(e.deps);

    expect(usageWhenRemoved).toEqual([0]);
    expect(report.offboarded.rejected).toEqual([connectionId]);
    expect(e.gateway.writes).toEqual([
      expect.objectContaining({ connectionId, status: "Rejected", description: expect.stringMatching(/offboarded/) }),
    ]);
    expect(e.gateway.writes.some((w) => w.status === "Approved")).toBe(false);
    expect(e.dns.records.size).toBe(0);
    const row = await e.bookkeeping.getConnection(connectionId);
    expect(row).toMatchObject({ state: "removed", azureStatus: "Rejected" });
    expect(row?.dnsRecords?.[0]?.outcome).toBe("removed");
    expect((await e.bookkeeping.getTenant("contoso"))?.usage).toBe(0);
    expect((await e.bookkeeping.listAudit(connectionId)).map((a) => a.kind).sort()).toEqual([
      "arm-write",
      "dns",
      "tenant",
    ]);

    // Idempotent: the next run has nothing left to do.
    const again = await cleanupSweep(e.deps);
    expect(again.offboarded.rejected).toEqual([]);
    expect(e.gateway.writes).toHaveLength(1);
  });

  it("leaves a suspended tenant's connections alone and records it in the summary", async () => {
    const e = estate();
    const connectionId = await withApprovedConnection(e, "suspended");

    const report = await cleanupSweep(e.deps);

    expect(report.offboarded.suspendedLeftAlone).toEqual([{ tenantId: "contoso", approved: 1 }]);
    expect(e.gateway.writes).toEqual([]);
    expect(e.dns.records.size).toBe(1);
    expect((await e.bookkeeping.getConnection(connectionId))?.state).toBe("approved");
    expect(e.logs.at(-1)).toMatch(/suspended tenants left alone: contoso \(1 approved\)/);
  });
});
