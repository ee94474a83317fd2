import type { ResourceFamily } from "../arm/resource-families";
import type { PrivateLinkServiceSeed } from "./seed-types";

export type ConnectionStatus = "Pending" | "Approved" | "Rejected" | "Disconnected";

export interface ProviderResource {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** The provider subscription's tenant (a vault's GET names it). */
  tenantId: string;
  family: ResourceFamily;
  tags: Record<string, string>;
  /** Set for a Private Link Service. */
  pls?: PrivateLinkServiceSeed & { alias: string };
}

export interface ConnectionRecord {
  id: string;
  name: string;
  providerId: string;
  privateEndpointId: string;
  privateEndpointLocation: string;
  groupIds: string[];
  status: ConnectionStatus;
  description: string;
  actionsRequired: string;
  provisioningState: string;
  etag: string;
  linkIdentifier: string;
  /** The long-running delete under way, if any: the connection goes when it settles. */
  deleteOperationId?: string;
}

export interface EndpointRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tenantId: string;
  targetResourceId: string;
  groupId: string;
  requestMessage: string;
  /** Approved at creation (autoApproval list): listed under privateLinkServiceConnections, not the manual ones. */
  autoApproved: boolean;
  connectionId: string;
  connectionName: string;
  status: ConnectionStatus;
  description: string;
  nicId: string;
  nicName: string;
  subnetId: string;
  privateIp: string;
  fqdns: string[];
  /** False for an endpoint made with a private DNS zone group: its customDnsConfigs are empty. */
  customDnsConfigs: boolean;
  etag: string;
}

export interface RecordSetRecord {
  id: string;
  zone: string;
  recordType: string;
  name: string;
  etag: string;
  properties: Record<string, unknown>;
}

export interface DnsZoneRecord {
  id: string;
  name: string;
  etag: string;
}
