import { describe, expect, it } from "vitest";
import {
  withEndpointGroupIds,
  type ArmConnection,
  type PrivateEndpointInfo,
} from "../../../src/ports/connection-gateway.port";

const VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
const OTHER = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st";

const connection = (groupIds: string[]): ArmConnection => ({
  connectionId: `${VAULT}/privateEndpointConnections/pe.1`,
  providerResourceId: VAULT,
  providerResourceType: "Microsoft.KeyVault/vaults",
  armStatus: "Pending",
  groupIds,
});

const endpoint = (over: Partial<PrivateEndpointInfo>): PrivateEndpointInfo => ({
  id: "/subscriptions/c/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe",
  targets: [],
  customDnsConfigs: [],
  nicIpConfigurations: [],
  ...over,
});

describe("a connection's group ids when its service does not report them", () => {
  it("keeps the connection's own group ids", () => {
    const own = connection(["vault"]);
    expect(withEndpointGroupIds(own, endpoint({ targets: [{ targetResourceId: VAULT, groupIds: ["x"] }] }))).toBe(own);
  });

  it("takes the endpoint link that targets the connection's resource, not another one", () => {
    const got = withEndpointGroupIds(
      connection([]),
      endpoint({
        targets: [
          { targetResourceId: OTHER, groupIds: ["blob"] },
          { targetResourceId: VAULT.toUpperCase(), groupIds: ["vault"] },
        ],
      }),
    );
    expect(got.groupIds).toEqual(["vault"]);
  });

  it("falls back to the NIC's privateLinkConnectionProperties.groupId", () => {
    const got = withEndpointGroupIds(
      connection([]),
      endpoint({
        targets: [{ targetResourceId: VAULT, groupIds: [] }],
        nicIpConfigurations: [
          { privateIPAddress: "10.0.0.4", fqdns: ["kv.vault.azure.net"], groupId: "vault" },
          { privateIPAddress: "10.0.0.5", fqdns: ["kv.vault.azure.net"], groupId: "vault" },
        ],
      }),
    );
    expect(got.groupIds).toEqual(["vault"]);
  });

  it("leaves them empty when neither names one", () => {
    expect(withEndpointGroupIds(connection([]), endpoint({})).groupIds).toEqual([]);
  });
});
