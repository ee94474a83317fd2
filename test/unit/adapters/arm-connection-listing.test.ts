/**
 * The per-resource listing of a PaaS resource's connections: from the GET's inline `privateEndpointConnections`
 * when the answer has that list, else from the service's own `privateEndpointConnections` list (every page). Azure's
 * getVault example answers a vault's GET without the list, so an absent list must not read as "no connections".
 */
import type { GenericResource, ResourceManagementClient } from "@azure/arm-resources";
import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { ArmConnectionGateway, type ArmClients } from "../../../src/adapters/arm/arm-connection-gateway";
import { PermanentError } from "../../../src/ports/errors";

const ARM = "https://arm.example";
const VAULT =
  "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-p/providers/Microsoft.KeyVault/vaults/kv";
const ENDPOINT = (n: number) =>
  `/subscriptions/00000000-0000-0000-0000-0000000000c1/resourceGroups/rg-c/providers/Microsoft.Network/privateEndpoints/pe-${n}`;

const connection = (n: number, status: string) => ({
  id: `${VAULT}/privateEndpointConnections/pe-${n}.guid`,
  properties: {
    privateEndpoint: { id: ENDPOINT(n) },
    privateLinkServiceConnectionState: { status, description: `asked by ${n}` },
  },
});

/** ARM as far as the gateway's listing reaches: the resource GET, and raw GETs sent through the client's pipeline. */
function fakeArm(vault: GenericResource, pages: Record<string, { status: number; body: unknown }>) {
  const sent: string[] = [];
  const client = {
    resources: {
      getById: (id: string, apiVersion: string) => {
        expect([id, apiVersion]).toEqual([VAULT.slice(1), "2023-07-01"]);
        return Promise.resolve(vault);
      },
    },
    sendRequest: (request: PipelineRequest): Promise<PipelineResponse> => {
      sent.push(`${request.method} ${request.url}`);
      const page = pages[request.url] ?? { status: 404, body: { error: { code: "NotFound", message: "no" } } };
      return Promise.resolve({
        request,
        status: page.status,
        headers: createHttpHeaders(),
        bodyAsText: JSON.stringify(page.body),
      });
    },
  };
  const clients: ArmClients = {
    network: () => {
      throw new Error("a Key Vault listing needs no network client");
    },
    resources: () => client as unknown as ResourceManagementClient,
  };
  return { gateway: new ArmConnectionGateway(clients, { endpoint: ARM, callTimeoutMs: 5_000 }), sent };
}

const LIST = `${ARM}${VAULT}/privateEndpointConnections?api-version=2023-07-01`;
const vaultWith = (properties: Record<string, unknown>): GenericResource => ({
  id: VAULT,
  type: "Microsoft.KeyVault/vaults",
  location: "westeurope",
  tags: { service: "secrets" },
  properties: {
    tenantId: "00000000-0000-0000-0000-0000000000f1",
    sku: { family: "A", name: "standard" },
    ...properties,
  },
});

describe("listing a PaaS resource's connections", () => {
  it("asks the service's connection list, every page, when the GET carries no inline list", async () => {
    const next = `${ARM}${VAULT}/privateEndpointConnections?api-version=2023-07-01&$skipToken=2`;
    const { gateway, sent } = fakeArm(vaultWith({}), {
      [LIST]: { status: 200, body: { value: [connection(1, "Pending")], nextLink: next } },
      [next]: { status: 200, body: { value: [connection(2, "Approved")] } },
    });

    const listed = await gateway.listConnections(VAULT);

    expect(listed.map((c) => [c.connectionId, c.armStatus, c.privateEndpointId])).toEqual([
      [`${VAULT}/privateEndpointConnections/pe-1.guid`, "Pending", ENDPOINT(1)],
      [`${VAULT}/privateEndpointConnections/pe-2.guid`, "Approved", ENDPOINT(2)],
    ]);
    // The tags still come from the resource's GET.
    expect(listed[0]?.providerResourceTags).toEqual({ service: "secrets" });
    expect(listed[0]?.requestMessage).toBe("asked by 1");
    expect(sent).toEqual([`GET ${LIST}`, `GET ${next}`]);
  });

  it("takes an inline list as it is, an empty one included, without a second call", async () => {
    const inline = fakeArm(vaultWith({ privateEndpointConnections: [connection(3, "Rejected")] }), {});
    expect((await inline.gateway.listConnections(VAULT)).map((c) => c.armStatus)).toEqual(["Rejected"]);
    const empty = fakeArm(vaultWith({ privateEndpointConnections: [] }), {});
    expect(await empty.gateway.listConnections(VAULT)).toEqual([]);
    expect([...inline.sent, ...empty.sent]).toEqual([]);
  });

  it("lists nothing when the resource went away between its GET and its list, and refuses a page on another host", async () => {
    const gone = fakeArm(vaultWith({}), {});
    expect(await gone.gateway.listConnections(VAULT)).toEqual([]);
    expect(gone.sent).toEqual([`GET ${LIST}`]);

    const elsewhere = fakeArm(vaultWith({}), {
      [LIST]: { status: 200, body: { value: [connection(1, "Pending")], nextLink: "https://evil.example/next" } },
    });
    await expect(elsewhere.gateway.listConnections(VAULT)).rejects.toBeInstanceOf(PermanentError);
    expect(elsewhere.sent).toEqual([`GET ${LIST}`]);
  });
});
