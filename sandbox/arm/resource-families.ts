import { vendoredApiVersions } from "./spec-versions";

/** How each provider resource type answers for its private endpoint connections, per the real services. */
export interface ResourceFamily {
  /** ARM type with original casing, e.g. "Microsoft.DBforPostgreSQL/flexibleServers". */
  type: string;
  /** Short name used in call-log operation keys, e.g. "flexibleServers". */
  shortName: string;
  apiVersions: readonly string[];
  groupId: string;
  /** FQDN a private endpoint to this resource resolves; undefined for a Private Link Service. */
  fqdn?: (name: string) => string;
  /**
   * "async": 202 + Azure-AsyncOperation; "sync": 200 with the body; "sync-with-operation": 200 with the body plus
   * Azure-AsyncOperation and Retry-After (Key Vault's PUT: keyvault.json PrivateEndpointConnections_Put).
   */
  putMode: "async" | "sync" | "sync-with-operation";
  /**
   * "async": 202 + Azure-AsyncOperation + Location (PostgreSQL, SQL); "location-elsewhere": 202 + Retry-After + a
   * Location on another host (Key Vault's deletePrivateEndpointConnection example); "sync": 200, 204 when absent.
   */
  deleteMode: "async" | "location-elsewhere" | "sync";
  /** Key Vault answers GET of an absent connection 204 (getPrivateEndpointConnection example); the rest 404. */
  absentConnectionStatus: 404 | 204;
  /** Whether the service's connection schema has properties.groupIds (common-types v5 and SQL do; Storage, Key Vault don't). */
  connectionGroupIds: boolean;
  /** Storage spells it actionRequired (StorageAccountGetPrivateEndpointConnection example). */
  actionsField: "actionsRequired" | "actionRequired";
  /**
   * The 400 code for a state change the service refuses: SQL's PrivateEndpointConnectionStatusNotPending (its
   * PrivateEndpointConnections.json), Storage's InvalidValuesForRequestParameters (azure-rest-api-specs issue
   * 30308); the sandbox's own code for the rest, whose specs name none.
   */
  notPendingCode: string;
  /**
   * The resource's own properties besides its connections, as its GET spec declares them: PostgreSQL keeps
   * publicNetworkAccess under `network` (FlexibleServers.json); a vault requires `tenantId` and `sku` and names its
   * address `vaultUri` (keyvault.json VaultProperties); a storage account names its addresses `primaryEndpoints`.
   */
  resourceProperties: (r: { name: string; tenantId: string }) => Record<string, unknown>;
  /**
   * How the GET lists connections inline: "resource" (id, name, type, properties: PostgreSQL's common-types
   * PrivateEndpointConnection, Storage's), or "idAndProperties" (SQL's ServerPrivateEndpointConnection, Key Vault's
   * PrivateEndpointConnectionItem: no name or type).
   */
  inlineConnections: "resource" | "idAndProperties";
  /**
   * False for Key Vault and Storage: their GET examples (getVault, StorageAccountGetProperties) have no list at all for
   * a resource without connections.
   */
  inlineListWhenEmpty: boolean;
  /** Operation-status path segment under `/providers/{ns}/locations/{loc}/`. */
  asyncOperationSegment?: string;
  /** provisioningState of a settled connection: PostgreSQL and SQL say "Ready". */
  settledState: string;
}

// Accepted api-versions are the ones vendored from Azure's REST specs (test/contracts/SOURCES.md), not a list kept here.
export const NETWORK_API_VERSIONS = vendoredApiVersions("network/resource-manager/Microsoft.Network");
export const PRIVATE_DNS_API_VERSIONS = vendoredApiVersions("privatedns/resource-manager/Microsoft.Network");
export const RESOURCES_API_VERSIONS = vendoredApiVersions("resources/resource-manager/Microsoft.Resources");

export const PRIVATE_LINK_SERVICE: ResourceFamily = {
  type: "Microsoft.Network/privateLinkServices",
  shortName: "privateLinkServices",
  apiVersions: NETWORK_API_VERSIONS,
  groupId: "",
  putMode: "sync",
  deleteMode: "sync",
  absentConnectionStatus: 404,
  connectionGroupIds: false,
  actionsField: "actionsRequired",
  notPendingCode: "PrivateEndpointConnectionStateChangeNotAllowed",
  // privateLinkServiceView builds a service's properties itself.
  resourceProperties: () => ({}),
  inlineConnections: "resource",
  inlineListWhenEmpty: true,
  settledState: "Succeeded",
};

export const PAAS_FAMILIES: readonly ResourceFamily[] = [
  {
    type: "Microsoft.DBforPostgreSQL/flexibleServers",
    shortName: "flexibleServers",
    apiVersions: vendoredApiVersions("postgresql/resource-manager/Microsoft.DBforPostgreSQL"),
    groupId: "postgresqlServer",
    fqdn: (n) => `${n}.postgres.database.azure.com`,
    putMode: "async",
    deleteMode: "async",
    absentConnectionStatus: 404,
    connectionGroupIds: true,
    actionsField: "actionsRequired",
    notPendingCode: "PrivateEndpointConnectionStateChangeNotAllowed",
    resourceProperties: (r) => ({
      fullyQualifiedDomainName: `${r.name}.postgres.database.azure.com`,
      network: { publicNetworkAccess: "Disabled" },
    }),
    inlineConnections: "resource",
    inlineListWhenEmpty: true,
    asyncOperationSegment: "azureAsyncOperation",
    settledState: "Ready",
  },
  {
    type: "Microsoft.Storage/storageAccounts",
    shortName: "storageAccounts",
    apiVersions: vendoredApiVersions("storage/resource-manager/Microsoft.Storage"),
    groupId: "blob",
    fqdn: (n) => `${n}.blob.core.windows.net`,
    putMode: "sync",
    deleteMode: "sync",
    absentConnectionStatus: 404,
    connectionGroupIds: false,
    actionsField: "actionRequired",
    notPendingCode: "InvalidValuesForRequestParameters",
    // StorageAccountProperties has no fullyQualifiedDomainName: the blob address is primaryEndpoints.blob.
    resourceProperties: (r) => ({
      provisioningState: "Succeeded",
      primaryEndpoints: { blob: `https://${r.name}.blob.core.windows.net/` },
      publicNetworkAccess: "Disabled",
    }),
    inlineConnections: "resource",
    // StorageAccountGetProperties example: an account without connections has no list.
    inlineListWhenEmpty: false,
    settledState: "Succeeded",
  },
  {
    type: "Microsoft.Sql/servers",
    shortName: "servers",
    apiVersions: vendoredApiVersions("sql/resource-manager/Microsoft.Sql"),
    groupId: "sqlServer",
    fqdn: (n) => `${n}.database.windows.net`,
    putMode: "async",
    deleteMode: "async",
    absentConnectionStatus: 404,
    connectionGroupIds: true,
    actionsField: "actionsRequired",
    notPendingCode: "PrivateEndpointConnectionStatusNotPending",
    resourceProperties: (r) => ({
      fullyQualifiedDomainName: `${r.name}.database.windows.net`,
      publicNetworkAccess: "Disabled",
    }),
    inlineConnections: "idAndProperties",
    inlineListWhenEmpty: true,
    asyncOperationSegment: "privateEndpointConnectionAzureAsyncOperation",
    settledState: "Ready",
  },
  {
    type: "Microsoft.KeyVault/vaults",
    shortName: "vaults",
    apiVersions: vendoredApiVersions("keyvault/resource-manager/Microsoft.KeyVault"),
    groupId: "vault",
    fqdn: (n) => `${n}.vault.azure.net`,
    putMode: "sync-with-operation",
    deleteMode: "location-elsewhere",
    absentConnectionStatus: 204,
    connectionGroupIds: false,
    actionsField: "actionsRequired",
    notPendingCode: "PrivateEndpointConnectionStateChangeNotAllowed",
    resourceProperties: (r) => ({
      tenantId: r.tenantId,
      sku: { family: "A", name: "standard" },
      vaultUri: `https://${r.name}.vault.azure.net/`,
      provisioningState: "Succeeded",
      publicNetworkAccess: "Disabled",
    }),
    inlineConnections: "idAndProperties",
    inlineListWhenEmpty: false,
    // The sandbox's own URL shape: the spec names the header, not the path behind it.
    asyncOperationSegment: "operationStatus",
    settledState: "Succeeded",
  },
];

export function familyOf(type: string): ResourceFamily | undefined {
  const t = type.toLowerCase();
  if (t === PRIVATE_LINK_SERVICE.type.toLowerCase()) return PRIVATE_LINK_SERVICE;
  return PAAS_FAMILIES.find((f) => f.type.toLowerCase() === t);
}
