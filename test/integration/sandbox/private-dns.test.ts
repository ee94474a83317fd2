import {
  PrivateDnsManagementClient,
  type RecordSet,
  type RecordSetsCreateOrUpdateOptionalParams,
} from "@azure/arm-privatedns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED, startTestSandbox, type TestSandbox } from "./sandbox-test-harness";

let t: TestSandbox;
let dns: PrivateDnsManagementClient;
const ZONE = "privatelink.postgres.database.azure.com";

beforeAll(async () => {
  t = await startTestSandbox();
  dns = new PrivateDnsManagementClient(t.credential, SEED.provider, t.armOptions);
});
afterAll(async () => t?.stop());

/** PUT of the A record `contoso-pg-demo` in ZONE: the first test is about its ETag preconditions. */
const putPgRecord = (record: RecordSet, conditions: RecordSetsCreateOrUpdateOptionalParams) =>
  dns.recordSets.createOrUpdate("dns-rg", ZONE, "A", "contoso-pg-demo", record, conditions);

describe("sandbox ARM: private DNS record sets through the real @azure/arm-privatedns client", () => {
  it("creates with If-None-Match: *, refuses a second create, updates with If-Match and refuses a stale ETag", async () => {
    const created = await putPgRecord(
      { ttl: 10, aRecords: [{ ipv4Address: "10.21.1.4" }], metadata: { connectionId: "conn-1", owner: "plautopilot" } },
      { ifNoneMatch: "*" },
    );
    expect(created.etag).toBeTruthy();
    expect(created.fqdn).toBe(`contoso-pg-demo.${ZONE}.`);
    expect(created.metadata).toEqual({ connectionId: "conn-1", owner: "plautopilot" });

    await expect(putPgRecord({ ttl: 10, aRecords: [] }, { ifNoneMatch: "*" })).rejects.toMatchObject({
      statusCode: 412,
    });

    const updated = await putPgRecord(
      { ttl: 10, aRecords: [{ ipv4Address: "10.21.1.5" }], metadata: created.metadata },
      { ifMatch: created.etag },
    );
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.aRecords).toEqual([{ ipv4Address: "10.21.1.5" }]);

    await expect(putPgRecord({ ttl: 10, aRecords: [] }, { ifMatch: created.etag })).rejects.toMatchObject({
      statusCode: 412,
    });
    await expect(
      dns.recordSets.delete("dns-rg", ZONE, "A", "contoso-pg-demo", { ifMatch: created.etag }),
    ).rejects.toMatchObject({
      statusCode: 412,
    });

    const read = await dns.recordSets.get("dns-rg", ZONE, "A", "contoso-pg-demo");
    expect(read.metadata).toEqual({ connectionId: "conn-1", owner: "plautopilot" });
    await dns.recordSets.delete("dns-rg", ZONE, "A", "contoso-pg-demo", { ifMatch: updated.etag });
    await expect(dns.recordSets.get("dns-rg", ZONE, "A", "contoso-pg-demo")).rejects.toMatchObject({ statusCode: 404 });
    // Deleting what is already gone succeeds (204), so cleanup can be retried.
    await dns.recordSets.delete("dns-rg", ZONE, "A", "contoso-pg-demo");
  });

  it("lists record sets across pages when $top is small", async () => {
    for (let i = 0; i < 5; i++) {
      await dns.recordSets.createOrUpdate("dns-rg", "privatelink.blob.core.windows.net", "A", `acct${i}`, {
        ttl: 10,
        aRecords: [{ ipv4Address: `10.21.1.${10 + i}` }],
      });
    }
    await t.control("DELETE", "/_sandbox/calls");
    const names: string[] = [];
    for await (const r of dns.recordSets.listByType("dns-rg", "privatelink.blob.core.windows.net", "A", { top: 2 }))
      names.push(r.name!);
    expect(names).toEqual(["acct0", "acct1", "acct2", "acct3", "acct4"]);
    const all: string[] = [];
    for await (const r of dns.recordSets.list("dns-rg", "privatelink.blob.core.windows.net")) all.push(r.name!);
    expect(all).toHaveLength(5);
    const calls = (await t.control<{ counters: Record<string, { count: number }> }>("GET", "/_sandbox/calls")).body
      .counters;
    expect(calls["GET privateDnsZones/A (list)"]?.count).toBe(3);
  });

  it("rejects a malformed A record with an ARM 400", async () => {
    await expect(
      dns.recordSets.createOrUpdate("dns-rg", ZONE, "A", "bad", { ttl: 10, aRecords: [{ ipv4Address: "999.1.1.1" }] }),
    ).rejects.toMatchObject({ statusCode: 400, code: "InvalidARecord" });
  });

  it("lists the seeded zones", async () => {
    const zones: string[] = [];
    for await (const z of dns.privateZones.listByResourceGroup("dns-rg")) zones.push(z.name!);
    expect(zones).toContain("privatelink.services.contoso.example");
    expect(zones).toHaveLength(5);
  });
});
