import type { AzureConnectionStatus } from "../domain/connection";

/**
 * What ARM says about one private endpoint connection on a resource we manage (a snapshot read from Azure, not our
 * row: the row's `state` is our review's, e.g. "approved"; `armStatus` is ARM's, e.g. "Approved").
 */
export interface ArmConnection {
  /** ARM id as ARM returned it (original casing). */
  connectionId: string;
  providerResourceId: string;
  /** e.g. "Microsoft.Network/privateLinkServices". */
  providerResourceType: string;
  armStatus: AzureConnectionStatus;
  description?: string;
  privateEndpointId?: string;
  groupIds: string[];
  requestMessage?: string;
  location?: string;
  providerResourceTags?: Record<string, string>;
}

/** A provider resource whose connections we manage. */
export interface ProviderResource {
  id: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
}

/** A consumer's private endpoint as the DNS step needs it. */
export interface PrivateEndpointInfo {
  id: string;
  location?: string;
  /** Targets of the endpoint's (manual) private link service connections. */
  targets: { targetResourceId: string; groupIds: string[] }[];
  customDnsConfigs: { fqdn: string; ipAddresses: string[] }[];
  nicIpConfigurations: { privateIPAddress: string; fqdns: string[]; groupId?: string; requiredMemberName?: string }[];
}

/** How much a connection read costs: "status" skips the provider resource (tags, location) and is one ARM call. */
export interface GetConnectionOptions {
  /** Default true: also read the provider resource for its tags and location (what policy needs). */
  withProviderResource?: boolean;
}

/** NIC reads cost one ARM call each; the DNS plan needs them only when customDnsConfigs carry no address. */
export interface GetPrivateEndpointOptions {
  /**
   * "always" (default), "when-needed" (only when no customDnsConfigs entry has an IP address) or "never" (only
   * whether the endpoint exists and what it targets matters).
   */
  nics?: "always" | "when-needed" | "never";
}

/**
 * Reads and writes private endpoint connections through ARM.
 * Failures come as TransientError (retry) or PermanentError (ARM_FORBIDDEN, ARM_NOT_FOUND, CONNECTION_NOT_PENDING...).
 */
export interface ConnectionGateway {
  /** undefined when the connection no longer exists (404). */
  getConnection(connectionId: string, options?: GetConnectionOptions): Promise<ArmConnection | undefined>;
  listConnections(providerResourceId: string): Promise<ArmConnection[]>;
  /** Resolves MANAGED_RESOURCE_IDS entries (resources, resource groups, subscriptions) to provider resources. */
  listProviderResources(scopeId: string): Promise<ProviderResource[]>;
  /**
   * Sets Approved/Rejected with a description; returns the state ARM reports afterwards. When the write was a
   * long-running operation, ARM returns no body: the result then carries the ids, status and description only.
   */
  setConnectionStatus(
    connectionId: string,
    status: "Approved" | "Rejected",
    description: string,
  ): Promise<ArmConnection>;
  /** Deletes the connection on the provider side; an absent connection is success. */
  deleteConnection(connectionId: string): Promise<void>;
  /** undefined when the endpoint is gone (404); PermanentError ARM_FORBIDDEN when it lives where we cannot read. */
  getPrivateEndpoint(endpointId: string, options?: GetPrivateEndpointOptions): Promise<PrivateEndpointInfo | undefined>;
}

/** True when the endpoint's customDnsConfigs carry no IP address, so the DNS plan needs its NICs' addresses. */
export function endpointNeedsNics(customDnsConfigs: readonly { ipAddresses: readonly string[] }[]): boolean {
  return !customDnsConfigs.some((c) => c.ipAddresses.length > 0);
}

/**
 * The connection's group ids, or when it has none (Storage and Key Vault connections carry no groupIds) the ones its
 * endpoint names: the link entry whose privateLinkServiceId is the connection's resource, else the NIC's
 * privateLinkConnectionProperties.groupId.
 */
export function withEndpointGroupIds(connection: ArmConnection, endpoint: PrivateEndpointInfo): ArmConnection {
  if (connection.groupIds.length > 0) return connection;
  const provider = connection.providerResourceId.toLowerCase();
  const fromLink = endpoint.targets
    .filter((t) => t.targetResourceId.toLowerCase() === provider)
    .flatMap((t) => t.groupIds);
  const fromNic = endpoint.nicIpConfigurations.flatMap((n) => (n.groupId ? [n.groupId] : []));
  const groupIds = [...new Set(fromLink.length > 0 ? fromLink : fromNic)];
  return groupIds.length > 0 ? { ...connection, groupIds } : connection;
}
