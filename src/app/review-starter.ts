import { OrchestrationNames, SweepNames } from "../workflow/names";
import type { SweepRunInput } from "../workflow/sweep.orchestration";
import type { CleanupInput, EndpointIntakeInput, NotificationIntakeInput, ReviewInput } from "../workflow/contracts";
import {
  cleanupInstanceId,
  endpointIntakeInstanceId,
  notificationIntakeInstanceId,
  reviewInstanceId,
  sweepInstanceId,
} from "./instance-ids";
import { isTerminal, type OrchestrationClient } from "./orchestration-client";

export interface StartResult {
  instanceId: string;
  started: boolean;
  /** "started", "restarted" (the previous run had ended), or "already-running". */
  outcome: "started" | "restarted" | "already-running";
}

/**
 * Idempotent start rules (every intake path uses them):
 * - no instance with the derived id → start;
 * - an instance running, pending or suspended → start nothing (duplicates, retries and echoes collapse);
 * - the previous instance ended → start again: the review reads ARM first and, if the connection is no longer
 *   Pending, records that and ends without writing; so a restart is harmless.
 * A start that loses a race with another start (the host refuses a running id) counts as already running.
 */
export async function startOnce(
  client: OrchestrationClient,
  name: string,
  instanceId: string,
  input: unknown,
): Promise<StartResult> {
  const status = await client.getRuntimeStatus(instanceId);
  if (status !== undefined && !isTerminal(status)) return { instanceId, started: false, outcome: "already-running" };
  try {
    await client.startNew(name, instanceId, input);
  } catch (error) {
    const now = await client.getRuntimeStatus(instanceId).catch(() => undefined);
    if (now !== undefined && !isTerminal(now)) return { instanceId, started: false, outcome: "already-running" };
    throw error;
  }
  return { instanceId, started: true, outcome: status === undefined ? "started" : "restarted" };
}

/**
 * One sweep per tick: firings of the same scheduled minute while its sweep runs collapse onto it (overlapping or
 * duplicate ticks never double up); once it has ended, a firing (an operator's manual run) sweeps again, which is
 * harmless because every start and record the sweep makes is idempotent.
 */
export function startSweep(client: OrchestrationClient, input: SweepRunInput, scheduledAt: Date): Promise<StartResult> {
  return startOnce(client, SweepNames.orchestration, sweepInstanceId(input.kind, scheduledAt), input);
}

export function startReview(client: OrchestrationClient, input: ReviewInput): Promise<StartResult> {
  return startOnce(client, OrchestrationNames.connectionReview, reviewInstanceId(input.connectionId), input);
}

export function startCleanup(client: OrchestrationClient, input: CleanupInput): Promise<StartResult> {
  const target = input.privateEndpointId ?? input.connectionId ?? "";
  return startOnce(client, OrchestrationNames.connectionCleanup, cleanupInstanceId(target), input);
}

export function startEndpointIntake(client: OrchestrationClient, input: EndpointIntakeInput): Promise<StartResult> {
  const id = endpointIntakeInstanceId(input.privateEndpointId, input.eventId ?? input.observedAt);
  return startOnce(client, OrchestrationNames.endpointIntake, id, input);
}

export function startNotificationIntake(
  client: OrchestrationClient,
  input: NotificationIntakeInput,
): Promise<StartResult> {
  const id = notificationIntakeInstanceId(input.providerResourceId, input.eventId ?? input.observedAt);
  return startOnce(client, OrchestrationNames.notificationIntake, id, input);
}
