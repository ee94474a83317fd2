import { createHash } from "node:crypto";
import { normaliseArmId } from "../domain/arm-id";

/**
 * Durable instance ids derive from the normalised ARM id, so every intake path (event, sweep, HTTP) collapses onto
 * the same instance. Hashed: ARM ids can exceed instance-id length limits and hold characters ids should not.
 */
function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 40);
}

export function reviewInstanceId(connectionId: string): string {
  return `review-${hash(normaliseArmId(connectionId))}`;
}

export function cleanupInstanceId(resourceId: string): string {
  return `cleanup-${hash(normaliseArmId(resourceId))}`;
}

/** One intake per endpoint per event: a redelivered event collapses, a later update of the endpoint does not. */
export function endpointIntakeInstanceId(privateEndpointId: string, eventId: string): string {
  return `intake-${hash(`${normaliseArmId(privateEndpointId)}|${eventId}`)}`;
}

/** One fan-out per resource per notification: a redelivery collapses onto it. */
export function notificationIntakeInstanceId(providerResourceId: string, eventId: string): string {
  return `notify-${hash(`${normaliseArmId(providerResourceId)}|${eventId}`)}`;
}

/** One sweep per kind per scheduled minute: a duplicate or overlapping firing of the same tick collapses onto it. */
export function sweepInstanceId(kind: "review" | "cleanup", scheduledAt: Date): string {
  const minute = new Date(Math.floor(scheduledAt.getTime() / 60_000) * 60_000).toISOString();
  return `sweep-${kind}-${minute.slice(0, 16).replace(/[^0-9T]/g, "")}`;
}
