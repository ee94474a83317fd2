/** Test data builders: state only what matters to the test. */
import type { Tenant } from "../../src/domain/tenant";
import type { ArmConnection, PrivateEndpointInfo } from "../../src/ports/connection-gateway.port";

export const PROVIDER_SUB = "00000000-0000-0000-0000-0000000000a1";
export const CONSUMER_SUB = "00000000-0000-0000-0000-0000000000c1";

export function aPrivateLinkServiceId(name = "pls-1"): string {
  return `/subscriptions/${PROVIDER_SUB}/resourceGroups/provider-rg/providers/Microsoft.Network/privateLinkServices/${name}`;
}

export function aPostgresServerId(name = "pg-1"): string {
  return `/subscriptions/${PROVIDER_SUB}/resourceGroups/provider-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
}

export function aConnectionId(options: { name?: string; resource?: string } = {}): string {
  return `${aPrivateLinkServiceId(options.resource ?? "pls-1")}/privateEndpointConnections/${options.name ?? "pe-1.conn"}`;
}

export function anEndpointId(name = "pe-1", subscription = CONSUMER_SUB): string {
  return `/subscriptions/${subscription}/resourceGroups/consumer-rg/providers/Microsoft.Network/privateEndpoints/${name}`;
}

export function anArmConnection(overrides: Partial<ArmConnection> = {}): ArmConnection {
  const connectionId = overrides.connectionId ?? aConnectionId();
  return {
    connectionId,
    providerResourceId: connectionId.split("/privateEndpointConnections")[0]!,
    providerResourceType: "Microsoft.Network/privateLinkServices",
    armStatus: "Pending",
    privateEndpointId: anEndpointId(),
    groupIds: [],
    requestMessage: "please",
    location: "westeurope",
    ...overrides,
  };
}

export function anEndpoint(overrides: Partial<PrivateEndpointInfo> = {}): PrivateEndpointInfo {
  return {
    id: anEndpointId(),
    location: "westeurope",
    targets: [{ targetResourceId: aPrivateLinkServiceId(), groupIds: [] }],
    customDnsConfigs: [],
    nicIpConfigurations: [{ privateIPAddress: "10.1.0.4", fqdns: [] }],
    ...overrides,
  };
}

export function aTenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    tenantId: "contoso",
    displayName: "Contoso",
    status: "active",
    subscriptions: [CONSUMER_SUB],
    approvers: ["netops@contoso.example"],
    usage: 0,
    ...overrides,
  };
}
