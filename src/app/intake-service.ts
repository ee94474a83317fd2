import { isWithinScopes } from "../domain/arm-id";
import { parseEventGridPayload, type IntakeSignal } from "../domain/intake";
import { DomainError } from "../domain/errors";
import type { OrchestrationClient } from "./orchestration-client";
import {
  startCleanup,
  startEndpointIntake,
  startNotificationIntake,
  startReview,
  type StartResult,
} from "./review-starter";

/**
 * Connections taken from one resource notification; the rest are left to the sweep (and logged). One delivery then
 * costs one durable start, answered in well under Event Grid's timeout, however long the list.
 */
export const MAX_CONNECTIONS_PER_NOTIFICATION = 100;

export interface IntakeDeps {
  client: OrchestrationClient;
  managedScopes: readonly string[];
  selfPrincipalIds: readonly string[];
  /** True when our bookkeeping holds a connection of this endpoint: only then is its deletion ours to clean up. */
  hasRecordedConnections: (privateEndpointId: string) => Promise<boolean>;
  log: (message: string) => void;
}

type EventSignal = Exclude<IntakeSignal, { kind: "ignored" }>;
type ReviewSource = "event-grid";
type CleanupTargetId = { connectionId: string } | { privateEndpointId: string };

export interface IntakeReport {
  /** "invalid" when the payload was not an event at all (logged; not retried). */
  status: "handled" | "invalid";
  code?: string;
  actions: IntakeAction[];
}

/** What one signal led to, with the ids a log query follows a connection by. */
export interface IntakeAction {
  signal: IntakeSignal["kind"];
  action: string;
  instanceId?: string;
  eventId?: string;
  correlationId?: string;
  connectionId?: string;
  privateEndpointId?: string;
}

/**
 * Turns an Event Grid delivery into starts of the right orchestrations. Permanent problems (garbage, events about
 * resources we do not manage, our own echoes) are logged and swallowed so Event Grid does not retry them forever;
 * failures to reach the durable store are thrown so it does retry.
 */
export async function handleEventGridPayload(payload: unknown, deps: IntakeDeps): Promise<IntakeReport> {
  let signals: IntakeSignal[];
  try {
    signals = parseEventGridPayload(payload, { selfPrincipalIds: deps.selfPrincipalIds });
  } catch (error) {
    if (error instanceof DomainError) {
      deps.log(`Event ignored [${error.code}]: ${error.message}`);
      return { status: "invalid", code: error.code, actions: [] };
    }
    throw error;
  }
  const report: IntakeReport = { status: "handled", actions: [] };
  const note = (signal: IntakeSignal, action: string, started?: StartResult, target?: CleanupTargetId): void => {
    report.actions.push({
      signal: signal.kind,
      action,
      ...(started ? { instanceId: started.instanceId } : {}),
      ...(signal.eventId ? { eventId: signal.eventId } : {}),
      ...("correlationId" in signal && signal.correlationId ? { correlationId: signal.correlationId } : {}),
      ...(target ?? targetOf(signal)),
    });
    deps.log(`Event ${"eventId" in signal ? (signal.eventId ?? "") : ""} (${signal.kind}): ${action}`);
  };
  const managed = (id: string): boolean => isWithinScopes(id, deps.managedScopes);
  // Every start below is one of two shapes: a review of a connection, or a clean-up of a connection or endpoint.
  const review = async (signal: EventSignal, connectionId: string, source: ReviewSource): Promise<void> => {
    const started = await startReview(deps.client, {
      connectionId,
      source,
      observedAt: signal.eventTime,
      eventId: signal.eventId,
      requestedBy: source,
    });
    note(signal, `review ${started.outcome}`, started, { connectionId });
  };
  const cleanup = async (signal: EventSignal, target: CleanupTargetId, reason: string): Promise<void> => {
    const started = await startCleanup(deps.client, {
      ...target,
      reason,
      observedAt: signal.eventTime,
      eventId: signal.eventId,
    });
    note(signal, `cleanup ${started.outcome}`, started, target);
  };

  // The statuses a notification carries are claims: ARM is read in the fan-out, and only what it lists starts work.
  const notification = async (signal: Extract<EventSignal, { kind: "resource-notification" }>): Promise<void> => {
    const taken = signal.connections.slice(0, MAX_CONNECTIONS_PER_NOTIFICATION).map((c) => c.connectionId);
    const left = signal.connections.length - taken.length;
    if (taken.length === 0) return note(signal, "ignored: the notification names no connection");
    const started = await startNotificationIntake(deps.client, {
      providerResourceId: signal.providerResourceId,
      connectionIds: taken,
      observedAt: signal.eventTime,
      eventId: signal.eventId,
    });
    note(
      signal,
      `notification intake ${started.outcome} for ${taken.length} connections` +
        (left > 0 ? `; ${left} more left to the sweep` : ""),
      started,
    );
  };

  for (const signal of signals) {
    switch (signal.kind) {
      case "ignored":
        note(signal, `ignored: ${signal.reason}`);
        break;
      case "connection-written":
        if (signal.initiatedBySelf) note(signal, "ignored: the echo of our own write");
        else if (!managed(signal.providerResourceId)) note(signal, "ignored: not a resource we manage");
        else await review(signal, signal.connectionId, "event-grid");
        break;
      case "connection-deleted":
        if (!managed(signal.providerResourceId)) note(signal, "ignored: not a resource we manage");
        else
          await cleanup(
            signal,
            { connectionId: signal.connectionId },
            "The connection was deleted on the provider side.",
          );
        break;
      case "private-endpoint-written": {
        const started = await startEndpointIntake(deps.client, {
          privateEndpointId: signal.privateEndpointId,
          observedAt: signal.eventTime,
          eventId: signal.eventId,
          ...(signal.tenantId ? { claimsTenantId: signal.tenantId } : {}),
        });
        note(signal, `endpoint intake ${started.outcome}`, started);
        break;
      }
      case "private-endpoint-deleted":
        // Anyone can name an endpoint: no row of ours, nothing of ours to clean up (and no instance for garbage).
        if (!(await deps.hasRecordedConnections(signal.privateEndpointId))) {
          note(signal, "ignored: no connection of ours was recorded for this endpoint");
          break;
        }
        await cleanup(
          signal,
          { privateEndpointId: signal.privateEndpointId },
          "The consumer deleted its private endpoint.",
        );
        break;
      case "resource-notification":
        if (!managed(signal.providerResourceId)) {
          note(signal, "ignored: not a resource we manage");
          break;
        }
        await notification(signal);
        break;
    }
  }
  return report;
}

function targetOf(signal: IntakeSignal): Partial<CleanupTargetId> {
  if ("connectionId" in signal) return { connectionId: signal.connectionId };
  if ("privateEndpointId" in signal) return { privateEndpointId: signal.privateEndpointId };
  return {};
}
