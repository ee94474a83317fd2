import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableBookkeeping } from "../../../src/adapters/tables/table-bookkeeping";
import type { Bookkeeping } from "../../../src/ports/bookkeeping.port";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { startAzuriteTables, type AzuriteTables } from "../../support/azurite";
import { aConnectionId, aTenant } from "../../support/builders";

let azurite: AzuriteTables;
let counter = 0;

beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  await azurite?.stop();
});

const stores: [string, () => Bookkeeping][] = [
  [
    "Table Storage (Azurite)",
    () => {
      const prefix = `v${Date.now().toString(36)}${(counter++).toString(36)}`;
      return new TableBookkeeping((name) =>
        TableClient.fromConnectionString(azurite.connectionString, `${prefix}${name}`, {
          allowInsecureConnection: true,
        }),
      );
    },
  ],
  ["memory", () => new InMemoryBookkeeping()],
];

/** The same contract for both: operators' tenant writes are conditional, audited, and keep the counted usage. */
describe.each(stores)("tenant versions and connection pages on %s", (_name, make) => {
  it("creates only when absent and replaces only the version that was read", async () => {
    const store = make();
    const tenant = aTenant({ tenantId: "t-etag" });
    const created = await store.writeTenant(tenant, { ifAbsent: true });
    expect(created.ok).toBe(true);
    expect(await store.writeTenant(tenant, { ifAbsent: true })).toEqual({ ok: false, reason: "exists" });
    await store.reserveQuota("t-etag", aConnectionId({ name: "counted" }));

    const read = await store.getTenantVersioned("t-etag");
    expect(read?.tenant.usage).toBe(1);
    const renamed = await store.writeTenant({ ...tenant, displayName: "Renamed", usage: 0 }, { ifMatch: read!.etag });
    expect(renamed.ok).toBe(true);
    // Someone who read before the rename loses, and the rename stays.
    expect(await store.writeTenant({ ...tenant, displayName: "Stale" }, { ifMatch: read!.etag })).toEqual({
      ok: false,
      reason: "changed",
    });
    expect(await store.writeTenant(aTenant({ tenantId: "nobody" }), { ifMatch: read!.etag })).toEqual({
      ok: false,
      reason: "missing",
    });
    const now = await store.getTenantVersioned("t-etag");
    expect(now).toMatchObject({ tenant: { displayName: "Renamed", usage: 1 } });
    expect(now!.etag).toBe((renamed as { etag: string }).etag);
    expect((await store.findTenantBySubscription(tenant.subscriptions[0]!))?.tenantId).toBe("t-etag");
  });

  it("keeps each tenant's changes, newest first", async () => {
    const store = make();
    for (const [minute, action] of [
      [1, "created"],
      [2, "updated"],
      [3, "offboarded"],
    ] as const) {
      await store.appendTenantAudit({
        tenantId: "t-audit",
        at: `2026-01-01T09:0${minute}:00.000Z`,
        actor: "admin@contoso.example",
        action,
        message: `${action}`,
        data: { minute },
      });
    }
    await store.appendTenantAudit({
      tenantId: "other",
      at: "2026-01-01T10:00:00.000Z",
      actor: "x",
      action: "created",
      message: "x",
    });
    const history = await store.listTenantAudit("T-AUDIT", 2);
    expect(history.map((h) => h.action)).toEqual(["offboarded", "updated"]);
    expect(history[0]).toMatchObject({ actor: "admin@contoso.example", data: { minute: 3 } });
  });

  it("pages through every recorded connection exactly once", async () => {
    const store = make();
    const ids = Array.from({ length: 7 }, (_, i) => aConnectionId({ name: `page-${i}` }));
    for (const id of ids) {
      await store.saveConnection({
        connectionId: id,
        state: "approved",
        providerResourceId: id.split("/privateEndpointConnections")[0]!,
        updatedAt: "2026-01-01T09:00:00.000Z",
      });
    }
    const seen: string[] = [];
    let continuation: string | undefined;
    let pages = 0;
    do {
      const page = await store.pageConnections(3, continuation);
      seen.push(...page.records.map((r) => r.connectionId));
      continuation = page.continuation;
      pages += 1;
    } while (continuation && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
  });
});
