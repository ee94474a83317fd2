import { describe, expect, it } from "vitest";
import { control, createEndpoint, PROVIDER_RG_ID, useSandboxAdapters } from "../../support/sandbox-arm";

/** The lean reads and writes the review relies on, counted by the sandbox; and the DNS listing clean-up uses. */
const C1 = "00000000-0000-0000-0000-0000000000c1";
const PLS = `${PROVIDER_RG_ID}/providers/Microsoft.Network/privateLinkServices/orders-api-pls`;
const PG = `${PROVIDER_RG_ID}/providers/Microsoft.DBforPostgreSQL/flexibleServers/contoso-pg-demo`;
const ZONE = "privatelink.postgres.database.azure.com";

const env = useSandboxAdapters();

async function counted(work: () => Promise<unknown>): Promise<Record<string, number>> {
  await control(env.sandbox, "DELETE", "/_sandbox/calls");
  await work();
  const { body } = await control<{ counters: Record<string, { count: number }> }>(
    env.sandbox,
    "GET",
    "/_sandbox/calls",
  );
  return Object.fromEntries(Object.entries(body.counters).map(([op, c]) => [op, c.count]));
}

describe("lean ARM calls", () => {
  it("reads a connection's status in one call, and a PaaS connection with its tags in one call", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "lean-pg", targetResourceId: PG });
    expect(
      await counted(() => env.adapters.gateway.getConnection(made.connectionId, { withProviderResource: false })),
    ).toEqual({ "GET flexibleServers/privateEndpointConnections": 1 });
    let full;
    expect(
      await counted(async () => {
        full = await env.adapters.gateway.getConnection(made.connectionId);
      }),
    ).toEqual({ "GET flexibleServers": 1 });
    expect(full).toMatchObject({
      armStatus: "Pending",
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
    });
  });

  it("reads a Private Link Service connection with the service's tags in one call: the service lists it inline", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "lean-pls", targetResourceId: PLS });
    let full;
    expect(
      await counted(async () => {
        full = await env.adapters.gateway.getConnection(made.connectionId);
      }),
    ).toEqual({ "GET privateLinkServices": 1 });
    expect(full).toMatchObject({
      connectionId: made.connectionId,
      armStatus: "Pending",
      providerResourceType: "Microsoft.Network/privateLinkServices",
      privateEndpointId: made.privateEndpointId,
    });
    // A connection the service does not list (gone) is asked for by name: ARM's 404 says so.
    expect(
      await counted(async () => {
        full = await env.adapters.gateway.getConnection(`${PLS}/privateEndpointConnections/never-was`);
      }),
    ).toEqual({ "GET privateLinkServices": 1, "GET privateLinkServices/privateEndpointConnections": 1 });
    expect(full).toBeUndefined();
  });

  it("approves a PaaS connection through its long-running operation without reading it again afterwards", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "lean-pg-put", targetResourceId: PG });
    let after;
    const calls = await counted(async () => {
      after = await env.adapters.gateway.setConnectionStatus(made.connectionId, "Approved", "Approved by rule r");
    });
    expect(calls).toEqual({
      "PUT flexibleServers/privateEndpointConnections": 1,
      "GET locations/azureAsyncOperation": 2,
    });
    expect(after).toMatchObject({ armStatus: "Approved", description: "Approved by rule r" });
    expect((await env.adapters.gateway.getConnection(made.connectionId))?.armStatus).toBe("Approved");
  });

  it("reads an endpoint's NICs only when its customDnsConfigs carry no address", async () => {
    const pg = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "lean-pg-pe", targetResourceId: PG });
    const pls = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "lean-pls-pe", targetResourceId: PLS });
    expect(
      await counted(() => env.adapters.gateway.getPrivateEndpoint(pg.privateEndpointId, { nics: "when-needed" })),
    ).toEqual({ "GET privateEndpoints": 1 });
    expect(
      await counted(() => env.adapters.gateway.getPrivateEndpoint(pls.privateEndpointId, { nics: "when-needed" })),
    ).toEqual({ "GET privateEndpoints": 1, "GET networkInterfaces": 1 });
  });
});

describe("ArmDnsRegistrar listing for the clean-up", () => {
  const owner = {
    privateEndpointId: `/subscriptions/${C1}/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe-list`,
    connectionId: `${PG}/privateEndpointConnections/pe-list.c`,
  };

  it("lists zones and A records across pages with their owner, and deletes only the version it listed", async () => {
    for (const name of ["list-a", "list-b", "list-c"]) {
      await env.adapters.dns.ensureARecord({ zone: ZONE, name, ipAddresses: ["10.30.0.1"] }, owner);
    }
    expect(await env.adapters.dns.listZones()).toContain(ZONE);
    const listed = (await env.adapters.dns.listARecords(ZONE, 1000)).filter((r) => r.name.startsWith("list-"));
    expect(listed.map((r) => r.name).sort()).toEqual(["list-a", "list-b", "list-c"]);
    expect(listed[0]?.owner?.connectionId).toBe(owner.connectionId.toLowerCase());
    expect(listed[0]?.etag).toBeTruthy();
    expect(await env.adapters.dns.listARecords(ZONE, 2)).toHaveLength(2);

    const [a, b] = listed;
    await env.adapters.dns.ensureARecord({ zone: ZONE, name: b!.name, ipAddresses: ["10.30.0.2"] }, owner); // new ETag
    expect(await env.adapters.dns.removeListedARecord(a!)).toMatchObject({ outcome: "removed" });
    expect(await env.adapters.dns.removeListedARecord(b!)).toMatchObject({ outcome: "changed" });
    expect(await env.adapters.dns.removeListedARecord({ ...b!, owner: undefined })).toMatchObject({
      outcome: "not-ours",
    });
    const left = (await env.adapters.dns.listARecords(ZONE, 1000)).map((r) => r.name);
    expect(left).toEqual(expect.arrayContaining(["list-b", "list-c"]));
    expect(left).not.toContain("list-a");
  });
});
