import { formatUtc } from "./format-utc";
import { durationToMs } from "./policy/duration";

/**
 * Stale connections: when a Pending request has waited too long, when a time-bound approval ends and when its
 * holders are told, and which finished connections the retention period lets us delete. Pure: times come in.
 *
 * ARM keeps no creation time on a private endpoint connection, so a request's age counts from when we first saw it:
 * the `createdAt` of its row, written by the first review that found it in ARM.
 */

const WEEK_MS = 7 * 24 * 3_600_000;

/** When a request first seen at `firstSeenAt` has waited longer than `maxPendingAge` (epoch ms). */
export function pendingExpiresAt(firstSeenAt: string, maxPendingAge: string): number {
  return Date.parse(firstSeenAt) + durationToMs(maxPendingAge);
}

/** The description ARM shows on a request rejected for its age: why, and how to ask again. */
export function pendingExpiredDescription(maxPendingAge: string): string {
  return `Rejected: no decision within ${maxPendingAge} of the request. To ask again, delete and re-create the private endpoint.`;
}

export interface ApprovalWindow {
  /** When the approvers and the tenant are told the approval is about to end (epoch ms). */
  noticeAt: number;
  /** When the approval ends unless renewed (epoch ms). */
  endsAt: number;
}

/**
 * An approval valid for `validFor` from `fromMs`. Its holders are told a quarter of the period before the end, but
 * never more than a week before it: long enough to renew, short enough not to be forgotten.
 */
export function approvalWindow(fromMs: number, validFor: string): ApprovalWindow {
  const period = durationToMs(validFor);
  const endsAt = fromMs + period;
  return { noticeAt: endsAt - Math.min(WEEK_MS, Math.floor(period / 4)), endsAt };
}

/** The description ARM shows on a connection whose approval period ended: why, and how to get access again. */
export function approvalEndedDescription(endsAtMs: number): string {
  return `Rejected: the approval ended on ${formatUtc(new Date(endsAtMs).toISOString())} and was not renewed. To ask again, re-create the private endpoint.`;
}

/** What the retention check needs of a recorded connection. */
export interface RetainedConnection {
  azureStatus?: string;
  /** The last time we recorded a change of the connection (its rejection or disconnection, for these). */
  updatedAt: string;
  /** Set once we deleted it on the provider side (or found it gone): nothing more to do. */
  deletedAt?: string;
}

/** ARM statuses whose connections the retention period deletes on the provider side. */
export const RETAINED_STATUSES: readonly string[] = ["Rejected", "Disconnected"];

/**
 * A Rejected or Disconnected connection whose row has not changed for longer than `retention` may be deleted on the
 * provider side (the acting step reads ARM again first). Rows already deleted are done.
 */
export function retentionDue(row: RetainedConnection, nowMs: number, retention: string): boolean {
  if (row.deletedAt || !row.azureStatus || !RETAINED_STATUSES.includes(row.azureStatus)) return false;
  const since = Date.parse(row.updatedAt);
  return Number.isFinite(since) && nowMs - since >= durationToMs(retention);
}
