import { NetworkManagementClient } from "@azure/arm-network";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  caFetch,
  createEndpoint,
  endpointRequest,
  SEED,
  startTestSandbox,
  type TestSandbox,
} from "./sandbox-test-harness";

let t: TestSandbox;
let network: NetworkManagementClient;
let consumerNetwork: NetworkManagementClient;

beforeAll(async () => {
  t = await startTestSandbox();
  network = new NetworkManagementClient(t.credential, SEED.provider, t.armOptions);
  consumerNetwork = new NetworkManagementClient(t.credential, SEED.watchedConsumer, t.armOptions);
});
afterAll(async () => t?.stop());

describe("sandbox ARM: Private Link Service through the real @azure/arm-network client", () => {
  it("gets the seeded service with visibility, auto-approval, alias and no connections", async () => {
    const pls = await network.privateLinkServices.get("provider-rg", "orders-api-pls");
    expect(pls.id).toBe(SEED.plsId);
    expect(pls.visibility?.subscriptions).toEqual(["*"]);
    expect(pls.autoApproval?.subscriptions).toEqual([SEED.unwatchedConsumer]);
    expect(pls.alias).toMatch(/^orders-api-pls\..+\.azure\.privatelinkservice$/);
    expect(pls.loadBalancerFrontendIpConfigurations?.[0]?.id).toContain("/loadBalancers/orders-api-lb/");
  });

  it("shows a new endpoint as Pending on both sides, approves it, and refuses to re-approve a rejected one", async () => {
    const pe = await createEndpoint(t, endpointRequest("orders-pe", SEED.plsId, { requestMessage: "please approve" }));
    expect(pe.status).toBe("Pending");
    const connectionName = pe.connectionId.split("/").pop()!;
    expect(connectionName).toMatch(/^orders-pe\.[0-9a-f-]{36}$/);

    const before = await network.privateLinkServices.getPrivateEndpointConnection(
      "provider-rg",
      "orders-api-pls",
      connectionName,
    );
    expect(before.privateLinkServiceConnectionState?.status).toBe("Pending");
    expect(before.privateEndpoint?.id).toBe(pe.privateEndpointId);

    const approved = await network.privateLinkServices.updatePrivateEndpointConnection(
      "provider-rg",
      "orders-api-pls",
      connectionName,
      {
        privateLinkServiceConnectionState: { status: "Approved", description: "approved by test" },
      },
    );
    expect(approved.privateLinkServiceConnectionState?.status).toBe("Approved");

    const endpoint = await consumerNetwork.privateEndpoints.get("spoke-rg", "orders-pe");
    const link = endpoint.manualPrivateLinkServiceConnections?.[0];
    expect(link?.privateLinkServiceConnectionState?.status).toBe("Approved");
    expect(link?.privateLinkServiceId).toBe(SEED.plsId);
    expect(link?.requestMessage).toBe("please approve");

    // Idempotent: the same approval again is a no-op 200.
    await network.privateLinkServices.updatePrivateEndpointConnection("provider-rg", "orders-api-pls", connectionName, {
      privateLinkServiceConnectionState: { status: "Approved", description: "again" },
    });

    const second = await createEndpoint(t, endpointRequest("orders-pe-2", SEED.plsId));
    const secondName = second.connectionId.split("/").pop()!;
    await network.privateLinkServices.updatePrivateEndpointConnection("provider-rg", "orders-api-pls", secondName, {
      privateLinkServiceConnectionState: { status: "Rejected", description: "no" },
    });
    await expect(
      network.privateLinkServices.updatePrivateEndpointConnection("provider-rg", "orders-api-pls", secondName, {
        privateLinkServiceConnectionState: { status: "Approved", description: "changed my mind" },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: "PrivateEndpointConnectionStateChangeNotAllowed" });
  });

  it("auto-approves an endpoint from a subscription on the auto-approval list", async () => {
    const pe = await createEndpoint(
      t,
      endpointRequest("auto-pe", SEED.plsId, { subscriptionId: SEED.unwatchedConsumer, resourceGroup: "analytics-rg" }),
    );
    expect(pe.status).toBe("Approved");
    const client = new NetworkManagementClient(t.credential, SEED.unwatchedConsumer, t.armOptions);
    const endpoint = await client.privateEndpoints.get("analytics-rg", "auto-pe");
    expect(endpoint.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Approved");
    expect(endpoint.manualPrivateLinkServiceConnections).toEqual([]);
  });

  it("pages the connection list with nextLink", async () => {
    for (let i = 0; i < 3; i++) {
      await createEndpoint(t, endpointRequest(`page-pe-${i}`, SEED.plsId, { resourceGroup: "paging-rg" }));
    }
    await t.control("DELETE", "/_sandbox/calls");
    const all = [];
    for await (const c of network.privateLinkServices.listPrivateEndpointConnections("provider-rg", "orders-api-pls"))
      all.push(c);
    const expected = (
      await t.control<{ privateEndpoints: { targetResourceId: string }[] }>("GET", "/_sandbox/estate")
    ).body.privateEndpoints.filter((e) => e.targetResourceId === SEED.plsId).length;
    expect(all).toHaveLength(expected);
    expect(new Set(all.map((c) => c.name)).size).toBe(expected);
    const calls = (
      await t.control<{ counters: Record<string, { count: number; apiVersions: Record<string, number> }> }>(
        "GET",
        "/_sandbox/calls",
      )
    ).body;
    const listCalls = calls.counters["GET privateLinkServices/privateEndpointConnections (list)"];
    expect(listCalls?.count).toBe(Math.ceil(expected / 2)); // armPageSize 2 in the seed
  });

  it("serves the endpoint's NIC with privateLinkConnectionProperties and customDnsConfigs for a PaaS target", async () => {
    const pe = await createEndpoint(t, endpointRequest("pg-pe", SEED.postgresId));
    const endpoint = await consumerNetwork.privateEndpoints.get("spoke-rg", "pg-pe");
    expect(endpoint.customDnsConfigs).toEqual([
      { fqdn: "contoso-pg-demo.postgres.database.azure.com", ipAddresses: [pe.privateIp] },
    ]);
    const nicName = endpoint.networkInterfaces![0]!.id!.split("/").pop()!;
    const nic = await consumerNetwork.networkInterfaces.get("spoke-rg", nicName);
    const ipConfig = nic.ipConfigurations![0]!;
    expect(ipConfig.privateIPAddress).toBe(pe.privateIp);
    expect(ipConfig.privateLinkConnectionProperties).toEqual({
      groupId: "postgresqlServer",
      requiredMemberName: "postgresqlServer",
      fqdns: ["contoso-pg-demo.postgres.database.azure.com"],
    });
    expect(pe.privateIp).toMatch(/^10\.21\.1\.\d+$/);
  });

  it("answers 403 AuthorizationFailed for another tenant's subscription and 404 for a missing resource", async () => {
    const foreign = new NetworkManagementClient(t.credential, SEED.foreignConsumer, t.armOptions);
    await expect(foreign.privateEndpoints.get("any-rg", "any-pe")).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    await expect(network.privateLinkServices.get("provider-rg", "missing")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });

  it("refuses calls without a valid bearer token and with an unknown api-version", async () => {
    const path = `${SEED.plsId}?api-version=2025-05-01`;
    const none = await caFetch(t.sandbox, path);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.code).toBe("AuthenticationFailed");
    const forged = await caFetch(t.sandbox, path, "GET", undefined, { authorization: "Bearer forged" });
    expect(JSON.parse(forged.text).error.code).toBe("InvalidAuthenticationToken");
    const token = await t.credential.getToken("https://management.azure.com/.default");
    const badVersion = await caFetch(t.sandbox, `${SEED.plsId}?api-version=2099-01-01`, "GET", undefined, {
      authorization: `Bearer ${token.token}`,
    });
    expect(badVersion.status).toBe(400);
    expect(JSON.parse(badVersion.text).error.code).toBe("InvalidApiVersionParameter");
  });

  it("lists services by resource group and subscription, and endpoints across pages", async () => {
    const byGroup = [];
    for await (const s of network.privateLinkServices.list("provider-rg")) byGroup.push(s.name);
    const bySubscription = [];
    for await (const s of network.privateLinkServices.listBySubscription()) bySubscription.push(s.name);
    expect(byGroup).toEqual(["orders-api-pls"]);
    expect(bySubscription).toEqual(["orders-api-pls"]);
    for (let i = 0; i < 3; i++) {
      await createEndpoint(t, endpointRequest(`list-pe-${i}`, SEED.storageId, { resourceGroup: "list-rg" }));
    }
    const endpoints = [];
    for await (const e of consumerNetwork.privateEndpoints.list("list-rg")) endpoints.push(e.name);
    expect(endpoints).toEqual(["list-pe-0", "list-pe-1", "list-pe-2"]);
  });

  it("deletes a connection from the provider side; the consumer's endpoint shows Disconnected; a repeat is a no-op", async () => {
    const pe = await createEndpoint(t, endpointRequest("drop-pe", SEED.plsId));
    const name = pe.connectionId.split("/").pop()!;
    await network.privateLinkServices.beginDeletePrivateEndpointConnectionAndWait(
      "provider-rg",
      "orders-api-pls",
      name,
      { updateIntervalInMs: 10 },
    );
    await network.privateLinkServices.beginDeletePrivateEndpointConnectionAndWait(
      "provider-rg",
      "orders-api-pls",
      name,
      { updateIntervalInMs: 10 },
    );
    await expect(
      network.privateLinkServices.getPrivateEndpointConnection("provider-rg", "orders-api-pls", name),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
    const endpoint = await consumerNetwork.privateEndpoints.get("spoke-rg", "drop-pe");
    expect(endpoint.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe(
      "Disconnected",
    );
  });
});
