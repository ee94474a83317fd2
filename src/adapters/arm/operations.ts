/**
 * The RBAC actions the adapters perform, as data, grouped by where they are granted: the custom roles in
 * infra/roles must grant exactly these (the infra test compares them). Keep in step with
 * arm-connection-gateway.ts, arm-lro.ts and arm-dns-registrar.ts. Action names are checked against the resource
 * providers' operations lists (https://learn.microsoft.com/azure/role-based-access-control/permissions/).
 */

/** On the managed provider resources (approver role, on each managed resource group). */
export const PROVIDER_ACTIONS: readonly string[] = [
  // Listing a managed resource group's resources (the sweep)
  "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
  // Private Link Services (@azure/arm-network)
  "Microsoft.Network/privateLinkServices/read",
  "Microsoft.Network/privateLinkServices/privateEndpointConnections/read",
  "Microsoft.Network/privateLinkServices/privateEndpointConnections/write",
  "Microsoft.Network/privateLinkServices/privateEndpointConnections/delete",
  // PaaS resources (generic ARM calls, api-versions.json)
  "Microsoft.DBforPostgreSQL/flexibleServers/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections/write",
  "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections/delete",
  "Microsoft.Storage/storageAccounts/read",
  "Microsoft.Storage/storageAccounts/privateEndpointConnections/read",
  "Microsoft.Storage/storageAccounts/privateEndpointConnections/write",
  "Microsoft.Storage/storageAccounts/privateEndpointConnections/delete",
  "Microsoft.Sql/servers/read",
  "Microsoft.Sql/servers/privateEndpointConnections/read",
  "Microsoft.Sql/servers/privateEndpointConnections/write",
  "Microsoft.Sql/servers/privateEndpointConnections/delete",
  "Microsoft.KeyVault/vaults/read",
  "Microsoft.KeyVault/vaults/privateEndpointConnections/read",
  "Microsoft.KeyVault/vaults/privateEndpointConnections/write",
  "Microsoft.KeyVault/vaults/privateEndpointConnections/delete",
];

/**
 * Polling a long-running approve/reject/delete: the Azure-AsyncOperation / Location URLs live under
 * /subscriptions/<id>/providers/<RP>/locations/<region>/..., outside the resource group, so these reads are granted
 * on the subscription of each managed group. One entry per provider namespace the app manages; an empty list means
 * the provider answers these calls synchronously (Storage: 200/204 in its REST spec).
 */
export const OPERATION_STATUS_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  "Microsoft.Network": [
    "Microsoft.Network/locations/operations/read",
    "Microsoft.Network/locations/operationResults/read",
  ],
  "Microsoft.DBforPostgreSQL": [
    "Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read",
    "Microsoft.DBforPostgreSQL/locations/operationResults/read",
  ],
  "Microsoft.Sql": [
    "Microsoft.Sql/locations/privateEndpointConnectionAzureAsyncOperation/read",
    "Microsoft.Sql/locations/privateEndpointConnectionOperationResults/read",
  ],
  "Microsoft.KeyVault": ["Microsoft.KeyVault/locations/operationResults/read"],
  "Microsoft.Storage": [],
};

/** Consumers' private endpoints and their NICs, for DNS (endpoint reader role, on each watched subscription). */
export const CONSUMER_ENDPOINT_ACTIONS: readonly string[] = [
  "Microsoft.Network/privateEndpoints/read",
  "Microsoft.Network/networkInterfaces/read",
];

/** The central private DNS zones (DNS record writer role, on their resource group). */
export const DNS_ACTIONS: readonly string[] = [
  "Microsoft.Network/privateDnsZones/read",
  "Microsoft.Network/privateDnsZones/A/read",
  "Microsoft.Network/privateDnsZones/A/write",
  "Microsoft.Network/privateDnsZones/A/delete",
];

/**
 * Only when MANAGED_RESOURCE_IDS names a whole subscription (listing its resources). The infra manages resource
 * groups, so its roles do not grant it; an operator who manages a subscription grants it there.
 */
export const SUBSCRIPTION_SCOPE_ACTIONS: readonly string[] = ["Microsoft.Resources/subscriptions/resources/read"];

export const ARM_ACTIONS_USED: readonly string[] = [
  ...PROVIDER_ACTIONS,
  ...Object.values(OPERATION_STATUS_ACTIONS).flat(),
  ...CONSUMER_ENDPOINT_ACTIONS,
  ...DNS_ACTIONS,
  ...SUBSCRIPTION_SCOPE_ACTIONS,
];
