import { ResourceManagementClient } from "@azure/arm-resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEndpoint, endpointRequest, SEED, startTestSandbox, type TestSandbox } from "./sandbox-test-harness";

let t: TestSandbox;
let resources: ResourceManagementClient;

beforeAll(async () => {
  t = await startTestSandbox();
  resources = new ResourceManagementClient(t.credential, SEED.provider, t.armOptions);
});
afterAll(async () => t?.stop());

const approve = {
  properties: { privateLinkServiceConnectionState: { status: "Approved", description: "Approved by test" } },
};

describe("sandbox ARM: PaaS private endpoint connections through the real generic @azure/arm-resources client", () => {
  it("approves a PostgreSQL flexible server connection as a long-running operation (202 + Azure-AsyncOperation)", async () => {
    const pe = await createEndpoint(t, endpointRequest("pg-pe", SEED.postgresId));
    await t.control("DELETE", "/_sandbox/calls");
    const result = await resources.resources.beginCreateOrUpdateByIdAndWait(pe.connectionId, "2024-08-01", approve, {
      updateIntervalInMs: 10,
    });
    expect(result.properties).toMatchObject({
      provisioningState: "Ready",
      groupIds: ["postgresqlServer"],
      privateLinkServiceConnectionState: { status: "Approved", description: "Approved by test" },
    });
    const calls = (
      await t.control<{ calls: { method: string; operation: string; status: number; path: string }[] }>(
        "GET",
        "/_sandbox/calls",
      )
    ).body.calls;
    expect(calls.map((c) => `${c.method} ${c.status}`)).toEqual(["PUT 202", "GET 200", "GET 200", "GET 200"]);
    expect(calls[1]!.path).toContain("/providers/Microsoft.DBforPostgreSQL/locations/westeurope/azureAsyncOperation/");

    const read = await resources.resources.getById(pe.connectionId, "2024-08-01");
    expect(
      (read.properties as { privateLinkServiceConnectionState: { status: string } }).privateLinkServiceConnectionState
        .status,
    ).toBe("Approved");
    const server = await resources.resources.getById(SEED.postgresId, "2024-08-01");
    expect(server.tags).toEqual({ service: "orders-db" });
    const inline = (server.properties as { privateEndpointConnections: { id: string }[] }).privateEndpointConnections;
    expect(inline.map((c) => c.id)).toContain(pe.connectionId);
  });

  it("approves a storage connection synchronously and a SQL one asynchronously", async () => {
    const st = await createEndpoint(t, endpointRequest("blob-pe", SEED.storageId));
    expect(st.fqdns).toEqual(["contosodemostore.blob.core.windows.net"]);
    const sql = await createEndpoint(t, endpointRequest("sql-pe", SEED.sqlId));
    const kv = await createEndpoint(t, endpointRequest("kv-pe", SEED.keyVaultId));
    await t.control("DELETE", "/_sandbox/calls");
    await resources.resources.beginCreateOrUpdateByIdAndWait(st.connectionId, "2023-05-01", approve, {
      updateIntervalInMs: 10,
    });
    await resources.resources.beginCreateOrUpdateByIdAndWait(sql.connectionId, "2023-08-01", approve, {
      updateIntervalInMs: 10,
    });
    await resources.resources.beginCreateOrUpdateByIdAndWait(kv.connectionId, "2023-07-01", approve, {
      updateIntervalInMs: 10,
    });
    const puts = (
      await t.control<{ calls: { method: string; status: number; path: string }[] }>("GET", "/_sandbox/calls")
    ).body.calls.filter((c) => c.method === "PUT");
    expect(puts.map((c) => c.status)).toEqual([200, 202, 200]);
    const estate = (await t.control<{ privateEndpoints: { id: string; status: string }[] }>("GET", "/_sandbox/estate"))
      .body;
    for (const id of [st.privateEndpointId, sql.privateEndpointId, kv.privateEndpointId]) {
      expect(estate.privateEndpoints.find((e) => e.id === id)?.status).toBe("Approved");
    }
  });

  it("refuses an api-version the provider does not have, and lists connections", async () => {
    const pe = await createEndpoint(t, endpointRequest("pg-pe-2", SEED.postgresId));
    await expect(resources.resources.getById(pe.connectionId, "2025-05-01")).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidApiVersionParameter",
    });
    await expect(
      resources.resources.getById(`${SEED.postgresId}/privateEndpointConnections/missing.0000`, "2024-08-01"),
    ).rejects.toMatchObject({ statusCode: 404 });
    const listed = await resources.resources.getById(`${SEED.postgresId}/privateEndpointConnections`, "2024-08-01");
    expect((listed as unknown as { value: unknown[] }).value.length).toBeGreaterThan(0);
  });

  it("lists the provider resource group's resources with a type filter", async () => {
    const all: string[] = [];
    for await (const r of resources.resources.listByResourceGroup("provider-rg")) all.push(r.type!);
    expect(all.sort()).toEqual([
      "Microsoft.DBforPostgreSQL/flexibleServers",
      "Microsoft.KeyVault/vaults",
      "Microsoft.Network/privateLinkServices",
      "Microsoft.Sql/servers",
      "Microsoft.Storage/storageAccounts",
    ]);
    const filtered: string[] = [];
    for await (const r of resources.resources.listByResourceGroup("provider-rg", {
      filter: "resourceType eq 'Microsoft.Storage/storageAccounts'",
    })) {
      filtered.push(r.name!);
    }
    expect(filtered).toEqual(["contosodemostore"]);
  });
});
