/**
 * Azure's private link service connection status, as both sides of a connection report it. "Unknown" stands for a
 * status this code does not know: it is never taken for Pending, so nothing is decided or written on it.
 */
export type AzureConnectionStatus = "Pending" | "Approved" | "Rejected" | "Disconnected" | "Unknown";

/** Our own life cycle of a connection under review. */
export type ReviewState =
  | "received" // a signal arrived, nothing decided yet
  | "awaiting-approval" // policy said review; waiting for a person or the deadline
  | "approved"
  | "rejected"
  | "skipped" // no longer Pending when we looked (approved by hand, deleted)
  | "failed" // a permanent error ended the review; nothing was approved
  | "removed"; // endpoint deleted / connection disconnected and cleaned up

/** Where we learned of a connection. */
export type SignalSource = "event-grid" | "resource-notification" | "http" | "sweep" | "cli";

/** What the policy sees about one private endpoint connection request. */
export interface ConnectionRequest {
  /** ARM id of the connection: {providerResourceId}/privateEndpointConnections/{name}; original casing. */
  connectionId: string;
  providerResourceId: string;
  /** e.g. "Microsoft.Network/privateLinkServices", "Microsoft.DBforPostgreSQL/flexibleServers". */
  providerResourceType: string;
  providerResourceTags?: Record<string, string>;
  groupIds: string[];
  privateEndpointId?: string;
  consumerSubscriptionId?: string;
  consumerTenantId?: string;
  requestMessage?: string;
  location?: string;
  status: AzureConnectionStatus;
  source: SignalSource;
  /** ISO 8601 time the request was observed. */
  observedAt: string;
}
