/**
 * The RBAC actions the adapters perform, as data: the custom role in infra must grant exactly these
 * (the infra test compares them). Keep in step with arm-connection-gateway.ts and arm-dns-registrar.ts.
 */
export const ARM_ACTIONS_USED: readonly string[] = [
  // Private Link Services (@azure/arm-network)
  "Microsoft.Network/privateLinkServices/read",
  "Microsoft.Network/privateLinkServices/privateEndpointConnections/read",
  "Microsoft.Network/privateLinkServices/privateEndpointConnections/write",
  "Microsoft.Network/privateLinkServices/privateEndpointConnections/delete",
  // Consumer endpoints and their NICs, for DNS and for resolving an endpoint to its connections
  "Microsoft.Network/privateEndpoints/read",
  "Microsoft.Network/networkInterfaces/read",
  // Central private DNS zones
  "Microsoft.Network/privateDnsZones/read",
  "Microsoft.Network/privateDnsZones/A/read",
  "Microsoft.Network/privateDnsZones/A/write",
  "Microsoft.Network/privateDnsZones/A/delete",
  // Managed scopes given as resource groups or subscriptions
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Resources/subscriptions/resources/read",
  "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
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
