import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableBookkeeping, type TableName } from "../../../src/adapters/tables/table-bookkeeping";
import { importTenants } from "../../../src/app/tenant-import";
import { startAzuriteTables, type AzuriteTables } from "../../support/azurite";
import { aConnectionId, aTenant } from "../../support/builders";

let azurite: AzuriteTables;
let counter = 0;

function bookkeeping(): { store: TableBookkeeping; client: (name: TableName) => TableClient } {
  const prefix = `t${Date.now().toString(36)}${(counter++).toString(36)}`;
  const client = (name: TableName) =>
    TableClient.fromConnectionString(azurite.connectionString, `${prefix}${name}`, { allowInsecureConnection: true });
  return { store: new TableBookkeeping(client), client };
}

beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  await azurite?.stop();
});

const at = (minute: number) => `2026-01-01T09:${String(minute).padStart(2, "0")}:00.000Z`;

describe("TableBookkeeping on Azurite", () => {
  it("builds one client per table, however many calls use it", async () => {
    const prefix = `c${Date.now().toString(36)}`;
    const built: string[] = [];
    const store = new TableBookkeeping((name) => {
      built.push(name);
      return TableClient.fromConnectionString(azurite.connectionString, `${prefix}${name}`, {
        allowInsecureConnection: true,
      });
    });
    const id = aConnectionId({ name: "pe-clients" });
    for (let minute = 0; minute < 3; minute++) {
      await store.saveConnection({
        connectionId: id,
        state: "received",
        providerResourceId: id.split("/privateEndpointConnections")[0]!,
        updatedAt: at(minute),
      });
      expect((await store.getConnection(id))?.updatedAt).toBe(at(minute));
    }
    expect(built.length).toBe(new Set(built).size);
  });

  it("creates, merges and reads a connection row keyed by the encoded id", async () => {
    const { store } = bookkeeping();
    const id = aConnectionId({ name: "pe-1" });
    await store.saveConnection({
      connectionId: id,
      state: "received",
      providerResourceId: id.split("/privateEndpointConnections")[0]!,
      updatedAt: at(0),
    });
    await store.saveConnection({
      connectionId: id.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
      verdict: "approve",
      dnsRecords: [
        { zone: "privatelink.postgres.database.azure.com", name: "db", ipAddresses: ["10.0.0.4"], outcome: "created" },
      ],
      updatedAt: at(1),
    });
    const row = await store.getConnection(id);
    expect(row).toMatchObject({
      connectionId: id,
      state: "received",
      verdict: "approve",
      createdAt: at(0),
      updatedAt: at(1),
    });
    expect(row?.dnsRecords?.[0]?.ipAddresses).toEqual(["10.0.0.4"]);
  });

  it("refuses to create a row without state and resource", async () => {
    const { store } = bookkeeping();
    await expect(store.saveConnection({ connectionId: aConnectionId(), updatedAt: at(0) })).rejects.toMatchObject({
      code: "CONNECTION_INCOMPLETE",
    });
  });

  it("survives concurrent writers through ETag retries without losing fields", async () => {
    const { store } = bookkeeping();
    const id = aConnectionId({ name: "race" });
    const resource = id.split("/privateEndpointConnections")[0]!;
    await store.saveConnection({ connectionId: id, state: "received", providerResourceId: resource, updatedAt: at(0) });
    await Promise.all([
      store.saveConnection({ connectionId: id, ruleId: "r1", updatedAt: at(1) }),
      store.saveConnection({ connectionId: id, tenantId: "tenant-a", updatedAt: at(1) }),
      store.saveConnection({ connectionId: id, policyVersion: "abc123", updatedAt: at(1) }),
      store.saveConnection({ connectionId: id, instanceId: "review-1", updatedAt: at(1) }),
    ]);
    expect(await store.getConnection(id)).toMatchObject({
      ruleId: "r1",
      tenantId: "tenant-a",
      policyVersion: "abc123",
      instanceId: "review-1",
    });
  });

  it("answers indexed queries by state, tenant, resource and endpoint, and moves rows when state changes", async () => {
    const { store } = bookkeeping();
    const a = aConnectionId({ name: "a" });
    const b = aConnectionId({ name: "b", resource: "pls-2" });
    const resourceA = a.split("/privateEndpointConnections")[0]!;
    const resourceB = b.split("/privateEndpointConnections")[0]!;
    const endpoint =
      "/subscriptions/00000000-0000-0000-0000-0000000000c1/resourceGroups/c/providers/Microsoft.Network/privateEndpoints/pe-a";
    await store.saveConnection({
      connectionId: a,
      state: "awaiting-approval",
      providerResourceId: resourceA,
      tenantId: "Contoso",
      privateEndpointId: endpoint,
      updatedAt: at(0),
    });
    await store.saveConnection({
      connectionId: b,
      state: "approved",
      providerResourceId: resourceB,
      tenantId: "contoso",
      updatedAt: at(0),
    });

    expect(
      (await store.listConnections({ state: "awaiting-approval", tenantId: "CONTOSO" })).map((r) => r.connectionId),
    ).toEqual([a]);
    expect((await store.listConnections({ tenantId: "contoso" })).length).toBe(2);
    expect(
      (await store.listConnections({ providerResourceId: resourceB.toLowerCase() })).map((r) => r.connectionId),
    ).toEqual([b]);
    expect((await store.listConnections({ privateEndpointId: endpoint })).map((r) => r.connectionId)).toEqual([a]);

    await store.saveConnection({ connectionId: a, state: "approved", updatedAt: at(2) });
    expect(await store.listConnections({ state: "awaiting-approval" })).toEqual([]);
    expect((await store.listConnections({ state: "approved" })).length).toBe(2);
  });

  it("records an audit step once, newest first, even when the step is retried", async () => {
    const { store } = bookkeeping();
    const id = aConnectionId();
    const entry = {
      connectionId: id,
      stepId: "review-1:decision",
      at: at(1),
      kind: "decision" as const,
      actor: "policy:r1",
      message: "approve",
    };
    expect(await store.appendAudit(entry)).toBe(true);
    expect(await store.appendAudit(entry)).toBe(false);
    expect(await store.appendAudit({ ...entry, at: at(5) })).toBe(false);
    await store.appendAudit({ ...entry, stepId: "review-1:outcome", at: at(2), kind: "state", data: { n: 1 } });
    await store.appendAudit({ ...entry, stepId: "review-1:signal", at: at(0), kind: "signal" });
    const history = await store.listAudit(id);
    expect(history.map((e) => e.stepId)).toEqual(["review-1:outcome", "review-1:decision", "review-1:signal"]);
    expect(history[0]?.data).toEqual({ n: 1 });
  });

  it("keeps an oversized entry's data readable: the largest value gives way, the small ones stay", async () => {
    const { store } = bookkeeping();
    const id = aConnectionId({ name: "big-trace" });
    // A long policy's trace: far past what one Table property holds.
    const trace = Array.from({ length: 2_000 }, (_, i) => ({ ruleId: `rule-${i}`, failed: "tenant status is active" }));
    const decision = { verdict: "approve", ruleId: "known-tenant", policyVersion: "v1", validFor: "P30D" };
    await store.appendAudit({
      connectionId: id,
      stepId: "review-1:decision",
      at: at(1),
      kind: "decision",
      actor: "policy:known-tenant",
      message: "approve",
      data: { trace, decision },
    });
    const [entry] = await store.listAudit(id);
    expect(entry?.data).toEqual({ decision, truncated: ["trace"] });
  });

  it("writes the audit marker and entry in one transaction (a failed batch leaves neither)", async () => {
    const { store, client } = bookkeeping();
    const id = aConnectionId({ name: "tx" });
    await store.appendAudit({ connectionId: id, stepId: "s1", at: at(0), kind: "signal", actor: "x", message: "m" });
    const audit = client("Audit");
    const keys = async (): Promise<string[]> => {
      const rows: string[] = [];
      for await (const row of audit.listEntities()) rows.push(row.rowKey!);
      return rows;
    };
    expect(await keys()).toHaveLength(2);
    // A marker that exists already makes the batch fail: its entry row must not land either.
    const pk = (await audit.listEntities().next()).value!.partitionKey!;
    await audit.createEntity({ partitionKey: pk, rowKey: `step-${Buffer.from("s2").toString("base64url")}` });
    expect(
      await store.appendAudit({ connectionId: id, stepId: "s2", at: at(1), kind: "signal", actor: "x", message: "m" }),
    ).toBe(false);
    expect(await keys()).toHaveLength(3);
    expect((await store.listAudit(id)).map((e) => e.stepId)).toEqual(["s1"]);
  });

  it("keeps tenants, their subscription index and their counted usage", async () => {
    const { store } = bookkeeping();
    const tenant = aTenant({ tenantId: "T-1", subscriptions: ["AAAAAAAA-0000-0000-0000-000000000001"] });
    await store.upsertTenant(tenant);
    expect((await store.findTenantBySubscription("aaaaaaaa-0000-0000-0000-000000000001"))?.tenantId).toBe("T-1");

    expect(await store.reserveQuota("t-1", aConnectionId({ name: "u1" }), 2)).toEqual({ reserved: true, usage: 1 });
    expect(await store.reserveQuota("t-1", aConnectionId({ name: "u1" }), 2)).toEqual({ reserved: true, usage: 1 });
    expect(await store.reserveQuota("t-1", aConnectionId({ name: "u2" }), 2)).toEqual({ reserved: true, usage: 2 });
    expect(await store.reserveQuota("t-1", aConnectionId({ name: "u3" }), 2)).toEqual({ reserved: false, usage: 2 });

    // Re-upsert with a different subscription: the old index entry goes, the usage stays.
    await store.upsertTenant({ ...tenant, subscriptions: ["aaaaaaaa-0000-0000-0000-000000000002"], usage: 0 });
    expect(await store.findTenantBySubscription("aaaaaaaa-0000-0000-0000-000000000001")).toBeUndefined();
    expect((await store.getTenant("t-1"))?.usage).toBe(2);
    expect(await store.releaseQuota("t-1", aConnectionId({ name: "u1" }))).toBe(1);
    expect(await store.releaseQuota("t-1", aConnectionId({ name: "u1" }))).toBe(1);
    expect(await store.quotaUsage("t-1")).toBe(1);
  });

  it("rebuilds the subscription index once from tenant rows stored before it lived beside them", async () => {
    const { store, client } = bookkeeping();
    // A tenant row as an older version wrote it: in the Tenants table, with its index row in the Index table only.
    const tenants = client("Tenants");
    await tenants.createTable();
    await tenants.createEntity({
      partitionKey: "tenant",
      rowKey: "t-old",
      tenantId: "T-old",
      displayName: "Old",
      subscriptions: JSON.stringify(["bbbbbbbb-0000-0000-0000-000000000001"]),
      status: "active",
      quota: 5,
      usage: 0,
    });
    const fresh = new TableBookkeeping(client);
    expect((await fresh.findTenantBySubscription("BBBBBBBB-0000-0000-0000-000000000001"))?.tenantId).toBe("T-old");
    expect(await fresh.findTenantBySubscription("bbbbbbbb-0000-0000-0000-000000000002")).toBeUndefined();
    // Built once: a tenant added behind this store's back (another instance) is found through its own index rows.
    await store.upsertTenant(aTenant({ tenantId: "T-new", subscriptions: ["bbbbbbbb-0000-0000-0000-000000000002"] }));
    expect((await fresh.findTenantBySubscription("bbbbbbbb-0000-0000-0000-000000000002"))?.tenantId).toBe("T-new");
  });

  it("answers whether an audit step was recorded, by its id", async () => {
    const { store } = bookkeeping();
    const id = aConnectionId({ name: "steps" });
    expect(await store.hasAuditStep(id, "run-1:notice-sent")).toBe(false);
    await store.appendAudit({
      connectionId: id,
      stepId: "run-1:notice-sent",
      at: at(0),
      kind: "decision",
      actor: "x",
      message: "m",
    });
    expect(
      await store.hasAuditStep(id.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"), "run-1:notice-sent"),
    ).toBe(true);
    expect(await store.hasAuditStep(id, "run-1:notice")).toBe(false);
  });

  it("applies ifNew fields only when the row is created", async () => {
    const { store } = bookkeeping();
    const id = aConnectionId({ name: "if-new" });
    const resource = id.split("/privateEndpointConnections")[0]!;
    const first = await store.saveConnection({
      connectionId: id,
      ifNew: { state: "received", providerResourceId: resource },
      updatedAt: at(0),
    });
    expect(first).toMatchObject({ state: "received", createdAt: at(0) });
    await store.saveConnection({ connectionId: id, state: "approved", updatedAt: at(1) });
    const again = await store.saveConnection({
      connectionId: id,
      ifNew: { state: "received", providerResourceId: resource },
      updatedAt: at(2),
    });
    expect(again).toMatchObject({ state: "approved", createdAt: at(0), updatedAt: at(2) });
    expect((await store.listConnections({ state: "approved" })).map((r) => r.connectionId)).toEqual([id]);
    expect(await store.listConnections({ state: "received" })).toEqual([]);
  });

  it("keeps a connection listed where it belongs when a write dies while indexing it, once the write is retried", async () => {
    const { store, client } = bookkeeping();
    const id = aConnectionId({ name: "crash" });
    const resource = id.split("/privateEndpointConnections")[0]!;
    await store.saveConnection({ connectionId: id, state: "received", providerResourceId: resource, updatedAt: at(0) });
    // The first index write for the new tenant fails (the process died there).
    const crashing = new TableBookkeeping((name) => {
      const table = client(name);
      if (name === "Index") {
        const upsert = table.upsertEntity.bind(table);
        let failed = false;
        table.upsertEntity = (...args: Parameters<typeof upsert>) => {
          if (failed || !String(args[0].partitionKey).startsWith("tenant-")) return upsert(...args);
          failed = true;
          return Promise.reject(Object.assign(new Error("connection reset"), { statusCode: 500 }));
        };
      }
      return table;
    });
    const change = { connectionId: id, tenantId: "t-9", updatedAt: at(1) };
    await expect(crashing.saveConnection(change)).rejects.toThrow();
    // Nothing claims the tenant yet: the row was not written before its index entries.
    expect((await store.getConnection(id))?.tenantId).toBeUndefined();
    await crashing.saveConnection(change);
    expect((await store.listConnections({ tenantId: "t-9" })).map((r) => r.connectionId)).toEqual([id]);
    expect((await store.listConnections({ providerResourceId: resource })).map((r) => r.state)).toEqual(["received"]);
    // Its state did not change: its other entries were not rewritten and still list it.
    expect((await store.listConnections({ state: "received" })).map((r) => r.connectionId)).toEqual([id]);
  });

  it("reserves quota atomically: 14 concurrent reservations against a quota of 10 leave 10", async () => {
    const { store } = bookkeeping();
    await store.upsertTenant(aTenant({ tenantId: "burst", quota: 10 }));
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) => store.reserveQuota("burst", aConnectionId({ name: `b${i}` }), 10)),
    );
    expect(results.filter((r) => r.reserved)).toHaveLength(10);
    expect(await store.quotaUsage("burst")).toBe(10);
    expect((await store.getTenant("burst"))?.usage).toBe(10);
  });

  it("imports tenants idempotently, reporting bad records by index and keeping what is stored", async () => {
    const { store } = bookkeeping();
    const good = aTenant({ tenantId: "imp-1" });
    const first = await importTenants(store, [good, { tenantId: "" }, "nonsense", aTenant({ tenantId: "imp-2" })]);
    expect(first.imported).toEqual(["imp-1", "imp-2"]);
    expect(first.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(first.rejected[0]?.problems.join(" ")).toContain("tenantId");
    await store.reserveQuota("imp-1", aConnectionId({ name: "kept" }));

    const second = await importTenants(store, [good, aTenant({ tenantId: "imp-2" })]);
    expect(second.imported).toEqual(["imp-1", "imp-2"]);
    const tenants = await store.listTenants();
    expect(tenants.map((t) => t.tenantId).sort()).toEqual(["imp-1", "imp-2"]);
    expect(tenants.find((t) => t.tenantId === "imp-1")?.usage).toBe(1);
  });

  it("answers the health ping", async () => {
    const { store } = bookkeeping();
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
