import { describe, expect, it } from "vitest";
import { ContractChecker } from "./contract-checker";

const PG_CONNECTION =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg/privateEndpointConnections/pe.1";
const connection = {
  id: PG_CONNECTION,
  name: "pe.1",
  type: "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections",
  properties: {
    provisioningState: "Ready",
    groupIds: ["postgresqlServer"],
    privateEndpoint: { id: "/subscriptions/c/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe" },
    privateLinkServiceConnectionState: { status: "Pending", description: "please", actionsRequired: "None" },
  },
};

describe("the contract checker", () => {
  const checker = ContractChecker.load();
  const check = (over: { method?: string; status?: number; headers?: Record<string, string>; body?: unknown }) =>
    checker.check({
      method: over.method ?? "GET",
      path: PG_CONNECTION,
      apiVersion: "2024-08-01",
      status: over.status ?? 200,
      headers: over.headers ?? {},
      body: "body" in over ? over.body : connection,
    });

  it("allows what the spec allows, with an open (modelAsString) provisioningState", () => {
    expect(check({})).toEqual({ operation: expect.stringMatching(/#PrivateEndpointConnections_Get$/), problems: [] });
  });

  it("names a property the schema does not declare, and a wrong type", () => {
    const body = {
      ...connection,
      properties: {
        ...connection.properties,
        privateLinkServiceConnectionState: { status: 1, actionRequired: "None" },
      },
    };
    expect(check({ body }).problems).toEqual([
      "/properties/privateLinkServiceConnectionState/status must be string",
      "/properties/privateLinkServiceConnectionState/actionRequired is not declared by the spec",
    ]);
  });

  it("refuses a status the operation does not have, and a 202 without its Location", () => {
    expect(check({ method: "DELETE", status: 200, body: undefined }).problems).toEqual([
      "status 200 is not one the spec allows (202, 204, default)",
    ]);
    expect(check({ method: "DELETE", status: 202, body: undefined }).problems).toEqual([
      "status 202 lacks header Location",
    ]);
    expect(
      check({ method: "DELETE", status: 202, headers: { location: "https://x" }, body: undefined }).problems,
    ).toEqual([]);
  });

  it("checks errors against the default response, and leaves operations no vendored spec describes alone", () => {
    expect(check({ status: 404, body: { error: { code: "NotFound", message: "gone", extra: 1 } } }).problems).toEqual([
      "/error/extra is not declared by the spec",
    ]);
    expect(
      checker.check({
        method: "GET",
        path: "/subscriptions/s",
        apiVersion: "2024-08-01",
        status: 200,
        headers: {},
        body: {},
      }),
    ).toEqual({
      problems: [],
    });
  });

  it("judges Private DNS record sets by privatedns.json: declared statuses, no undeclared property", () => {
    const record = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net/A/kv1`;
    const judge = (method: string, status: number, body?: unknown) =>
      checker.check({ method, path: record, apiVersion: "2020-06-01", status, headers: {}, body });
    const recordSet = {
      id: record,
      name: "kv1",
      type: "Microsoft.Network/privateDnsZones/A",
      etag: "e1",
      properties: { ttl: 3600, fqdn: "kv1.privatelink.vaultcore.azure.net.", aRecords: [{ ipv4Address: "10.0.0.4" }] },
    };
    expect(judge("PUT", 201, recordSet)).toEqual({
      operation: expect.stringMatching(/privatedns\.json#RecordSets_CreateOrUpdate$/),
      problems: [],
    });
    expect(judge("GET", 200, { ...recordSet, properties: { aRecords: [{ ip: "10.0.0.4" }] } }).problems).toEqual([
      "/properties/aRecords/0/ip is not declared by the spec",
    ]);
    expect(judge("DELETE", 202).problems).toEqual(["status 202 is not one the spec allows (200, 204, default)"]);
  });

  it("lets ARM throttle or fail an operation whose spec lists 200 alone, in ARM's error envelope only", () => {
    const account = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct";
    const judge = (status: number, body: unknown) =>
      checker.check({ method: "GET", path: account, apiVersion: "2023-05-01", status, headers: {}, body }).problems;
    const envelope = { error: { code: "TooManyRequests", message: "Try again later." } };
    expect(judge(429, envelope)).toEqual([]);
    expect(judge(503, envelope)).toEqual([]);
    expect(judge(429, { oops: true })).toEqual(["status 429 lacks ARM's error envelope"]);
    expect(judge(409, envelope)[0]).toMatch(/status 409 is not one the spec allows/);
  });

  it("judges Storage connections by its own schema: actionRequired, no groupIds, DELETE 200/204 without LRO", () => {
    const id =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/privateEndpointConnections/pe.1";
    const judge = (method: string, status: number, body?: unknown) =>
      checker.check({ method, path: id, apiVersion: "2023-05-01", status, headers: {}, body });
    const storage = {
      id,
      name: "pe.1",
      type: "Microsoft.Storage/storageAccounts/privateEndpointConnections",
      properties: {
        provisioningState: "Succeeded",
        privateEndpoint: { id: "/subscriptions/c/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe" },
        privateLinkServiceConnectionState: { status: "Approved", description: "ok", actionRequired: "None" },
      },
    };
    expect(judge("GET", 200, storage)).toEqual({
      operation: expect.stringMatching(
        /storage\.privateEndpointConnections\.extract\.json#PrivateEndpointConnections_Get$/,
      ),
      problems: [],
    });
    expect(
      judge("PUT", 200, { ...storage, properties: { ...storage.properties, groupIds: ["blob"] } }).problems,
    ).toEqual(["/properties/groupIds is not declared by the spec"]);
    expect(judge("DELETE", 202).problems).toEqual(["status 202 is not one the spec allows (200, 204, default)"]);
  });

  it("judges Key Vault connections by keyvault.json: 204 when absent, no groupIds, a 202 DELETE needs its Location", () => {
    const id =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/privateEndpointConnections/pe.1";
    const judge = (method: string, status: number, body?: unknown, headers: Record<string, string> = {}) =>
      checker.check({ method, path: id, apiVersion: "2023-07-01", status, headers, body });
    expect(judge("GET", 204)).toEqual({
      operation: expect.stringMatching(/2023-07-01\/keyvault\.json#PrivateEndpointConnections_Get$/),
      problems: [],
    });
    const vault = {
      id,
      name: "pe.1",
      type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
      etag: "e1",
      properties: {
        provisioningState: "Succeeded",
        groupIds: ["vault"],
        privateLinkServiceConnectionState: { status: "Approved", actionsRequired: "None" },
      },
    };
    expect(judge("PUT", 200, vault).problems).toEqual(["/properties/groupIds is not declared by the spec"]);
    expect(judge("DELETE", 202, undefined, { "retry-after": "1" }).problems).toEqual([
      "status 202 lacks header Location",
    ]);
  });

  it("judges the resources' own GET, their inline connections included, by each service's spec", () => {
    const rg = "/subscriptions/s/resourceGroups/rg/providers";
    const judge = (path: string, apiVersion: string, body: unknown) =>
      checker.check({ method: "GET", path, apiVersion, status: 200, headers: {}, body });
    const inline = (id: string) => ({
      id: `${id}/privateEndpointConnections/pe.1`,
      name: "pe.1",
      type: "x/privateEndpointConnections",
      properties: { privateLinkServiceConnectionState: { status: "Pending", description: "please" } },
    });
    const sql = `${rg}/Microsoft.Sql/servers/db`;
    expect(
      judge(sql, "2023-08-01", {
        id: sql,
        location: "westeurope",
        properties: { privateEndpointConnections: [inline(sql)] },
      }),
    ).toEqual({
      operation: expect.stringMatching(/Servers\.json#Servers_Get$/),
      problems: [
        "/properties/privateEndpointConnections/0/name is not declared by the spec",
        "/properties/privateEndpointConnections/0/type is not declared by the spec",
      ],
    });
    const vault = `${rg}/Microsoft.KeyVault/vaults/kv`;
    expect(judge(vault, "2023-07-01", { id: vault, properties: { fullyQualifiedDomainName: "kv" } }).problems).toEqual([
      "/properties must have required property 'tenantId'",
      "/properties must have required property 'sku'",
      "/properties/fullyQualifiedDomainName is not declared by the spec",
    ]);
    const account = `${rg}/Microsoft.Storage/storageAccounts/st`;
    expect(
      judge(account, "2023-05-01", {
        id: account,
        location: "westeurope",
        properties: { fullyQualifiedDomainName: "st", privateEndpointConnections: [inline(account)] },
      }).problems,
    ).toEqual(["/properties/fullyQualifiedDomainName is not declared by the spec"]);
    const pg = `${rg}/Microsoft.DBforPostgreSQL/flexibleServers/pg`;
    expect(
      judge(pg, "2024-08-01", {
        id: pg,
        location: "westeurope",
        properties: { privateEndpointConnections: [inline(pg)] },
      }),
    ).toEqual({ operation: expect.stringMatching(/FlexibleServers\.json#Servers_Get$/), problems: [] });
  });

  it("judges the generic resource lists by resources.json: GenericResourceExpanded items, nextLink, CloudError", () => {
    const judge = (path: string, status: number, body: unknown) =>
      checker.check({ method: "GET", path, apiVersion: "2025-04-01", status, headers: {}, body });
    const group = "/subscriptions/s/resourceGroups/rg/resources";
    const item = {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/db",
      name: "db",
      type: "Microsoft.Sql/servers",
      location: "westeurope",
      tags: { environment: "production" },
    };
    expect(judge(group, 200, { value: [item], nextLink: "https://x/next" })).toEqual({
      operation: expect.stringMatching(/resources\.list\.extract\.json#Resources_ListByResourceGroup$/),
      problems: [],
    });
    expect(judge("/subscriptions/s/resources", 200, { value: [{ ...item, sku: { name: "S0" } }] })).toEqual({
      operation: expect.stringMatching(/resources\.list\.extract\.json#Resources_List$/),
      problems: [],
    });
    expect(judge(group, 200, { value: [{ ...item, resourceGroup: "rg" }], count: 1 }).problems).toEqual([
      "/value/0/resourceGroup is not declared by the spec",
      "/count is not declared by the spec",
    ]);
    // CloudError wraps common-types v1 ErrorResponse (code, message, target, details, additionalInfo).
    expect(judge(group, 404, { error: { code: "ResourceGroupNotFound", message: "gone" } }).problems).toEqual([]);
    expect(judge(group, 403, { error: { code: "AuthorizationFailed", message: "no", status: 403 } }).problems).toEqual([
      "/error/status is not declared by the spec",
    ]);
  });

  it("judges Private Link Service, private endpoint and NIC answers by the network extracts", () => {
    const rg = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
    const judge = (method: string, path: string, status: number, body?: unknown) =>
      checker.check({ method, path, apiVersion: "2025-05-01", status, headers: {}, body });
    const pe = {
      id: `${rg}/privateEndpoints/pe`,
      name: "pe",
      type: "Microsoft.Network/privateEndpoints",
      location: "westeurope",
      etag: 'W/"1"',
      properties: { provisioningState: "Succeeded", subnet: { id: `${rg}/virtualNetworks/v/subnets/s` } },
    };
    expect(judge("GET", pe.id, 200, pe)).toEqual({
      operation: expect.stringMatching(/privateEndpoint\.json#PrivateEndpoints_Get$/),
      problems: [],
    });
    // A private endpoint has no resourceGuid (a NIC has).
    expect(judge("GET", pe.id, 200, { ...pe, properties: { ...pe.properties, resourceGuid: "g" } }).problems).toEqual([
      "/properties/resourceGuid is not declared by the spec",
    ]);
    const nic = `${rg}/networkInterfaces/pe.nic.1`;
    expect(
      judge("GET", nic, 200, { id: nic, properties: { resourceGuid: "g", nicType: "Standard" } }).problems,
    ).toEqual([]);
    const connection = `${rg}/privateLinkServices/pls/privateEndpointConnections/pe.1`;
    expect(judge("PUT", connection, 202).problems).toEqual(["status 202 is not one the spec allows (200, default)"]);
    // network.json's Error models the inner object of ARM's { error: … } envelope.
    expect(judge("GET", connection, 404, { error: { code: "NotFound", message: "gone" } }).problems).toEqual([]);
    expect(judge("GET", connection, 404, { error: { code: "NotFound", message: "gone", extra: 1 } }).problems).toEqual([
      "/error/extra is not declared by the spec",
    ]);
  });
});
