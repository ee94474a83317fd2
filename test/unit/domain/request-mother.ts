import type { ConnectionRequest } from "../../../src/domain/connection";
import type { Tenant } from "../../../src/domain/tenant";

// Builders so each test states only what matters to it.

export const PROVIDER_SUB = "3f1c9a4e-5b7d-4e2a-9c61-0d8e7f6a5b41";
export const CONSUMER_SUB = "a1a1a1a1-0000-4000-8000-00000000c001";
export const CONSUMER_TENANT = "11111111-aaaa-4aaa-8aaa-000000000001";
const PG = `/subscriptions/${PROVIDER_SUB}/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders`;

export function aRequest(overrides: Partial<ConnectionRequest> = {}): ConnectionRequest {
  return {
    connectionId: `${PG}/privateEndpointConnections/pe-1`,
    providerResourceId: PG,
    providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
    groupIds: ["postgresqlServer"],
    consumerSubscriptionId: CONSUMER_SUB,
    consumerTenantId: CONSUMER_TENANT,
    location: "westeurope",
    status: "Pending",
    source: "http",
    observedAt: "2026-03-02T09:30:00Z",
    ...overrides,
  };
}

export function aTenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    tenantId: CONSUMER_TENANT,
    displayName: "Contoso",
    status: "active",
    subscriptions: [CONSUMER_SUB],
    approvers: ["owner@contoso.example"],
    quota: 10,
    usage: 2,
    ...overrides,
  };
}
