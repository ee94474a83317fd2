import { DomainError } from "./errors";

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

/**
 * Which review states may follow which. Staying in the same state is always allowed (replays and duplicate signals
 * are normal); a connection that comes back (recreated endpoint, operator retry) starts again at "received".
 */
export const REVIEW_TRANSITIONS: Readonly<Record<ReviewState, readonly ReviewState[]>> = {
  received: ["awaiting-approval", "approved", "rejected", "skipped", "failed", "removed"],
  "awaiting-approval": ["approved", "rejected", "skipped", "failed", "removed"],
  approved: ["rejected", "removed"],
  rejected: ["removed"],
  skipped: ["received", "removed"],
  failed: ["received", "removed"],
  removed: ["received"],
};

export function canTransition(from: ReviewState, to: ReviewState): boolean {
  return from === to || (REVIEW_TRANSITIONS[from]?.includes(to) ?? false);
}

/** The state after a transition; throws DomainError("STATE_TRANSITION_INVALID") for one the life cycle does not allow. */
export function transition(from: ReviewState, to: ReviewState): ReviewState {
  if (!canTransition(from, to)) {
    throw new DomainError(
      "STATE_TRANSITION_INVALID",
      `A connection in state "${from}" cannot become "${to}"; re-read its current state and try again.`,
    );
  }
  return to;
}

/** Only a Pending connection is ours to decide; any other status means someone already did. */
export function isAwaitingDecision(status: AzureConnectionStatus): boolean {
  return status === "Pending";
}
