import { parseEventGridPayload, type IntakeSignal } from "../domain/intake";
import { DomainError } from "../domain/errors";
import { isManaged } from "../workflow/activities";
import type { OrchestrationClient } from "./orchestration-client";
import { startCleanup, startEndpointIntake, startReview, type StartResult } from "./review-starter";

export interface IntakeDeps {
  client: OrchestrationClient;
  managedScopes: readonly string[];
  selfPrincipalIds: readonly string[];
  log: (message: string) => void;
}

export interface IntakeReport {
  /** "invalid" when the payload was not an event at all (logged; not retried). */
  status: "handled" | "invalid";
  code?: string;
  actions: { signal: IntakeSignal["kind"]; action: string; instanceId?: string }[];
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
  const note = (signal: IntakeSignal, action: string, started?: StartResult): void => {
    report.actions.push({ signal: signal.kind, action, ...(started ? { instanceId: started.instanceId } : {}) });
    deps.log(`Event ${"eventId" in signal ? (signal.eventId ?? "") : ""} (${signal.kind}): ${action}`);
  };
  const managed = (id: string): boolean => isManaged(id, deps.managedScopes);

  for (const signal of signals) {
    switch (signal.kind) {
      case "ignored":
        note(signal, `ignored: ${signal.reason}`);
        break;
      case "connection-written": {
        if (signal.initiatedBySelf) {
          note(signal, "ignored: the echo of our own write");
        } else if (!managed(signal.providerResourceId)) {
          note(signal, "ignored: not a resource we manage");
        } else {
          const started = await startReview(deps.client, {
            connectionId: signal.connectionId,
            source: "event-grid",
            observedAt: signal.eventTime,
            eventId: signal.eventId,
            requestedBy: "event-grid",
          });
          note(signal, `review ${started.outcome}`, started);
        }
        break;
      }
      case "connection-deleted": {
        if (!managed(signal.providerResourceId)) {
          note(signal, "ignored: not a resource we manage");
          break;
        }
        const started = await startCleanup(deps.client, {
          connectionId: signal.connectionId,
          reason: "The connection was deleted on the provider side.",
          observedAt: signal.eventTime,
          eventId: signal.eventId,
        });
        note(signal, `cleanup ${started.outcome}`, started);
        break;
      }
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
      case "private-endpoint-deleted": {
        const started = await startCleanup(deps.client, {
          privateEndpointId: signal.privateEndpointId,
          reason: "The consumer deleted its private endpoint.",
          observedAt: signal.eventTime,
          eventId: signal.eventId,
        });
        note(signal, `cleanup ${started.outcome}`, started);
        break;
      }
      case "resource-notification": {
        if (!managed(signal.providerResourceId)) {
          note(signal, "ignored: not a resource we manage");
          break;
        }
        for (const c of signal.connections) {
          if (c.status === "Pending") {
            const started = await startReview(deps.client, {
              connectionId: c.connectionId,
              source: "resource-notification",
              observedAt: signal.eventTime,
              eventId: signal.eventId,
              requestedBy: "resource-notification",
            });
            note(signal, `review ${started.outcome}`, started);
          } else if (c.status === "Disconnected") {
            const started = await startCleanup(deps.client, {
              connectionId: c.connectionId,
              reason: "Azure reports the connection Disconnected.",
              observedAt: signal.eventTime,
              eventId: signal.eventId,
            });
            note(signal, `cleanup ${started.outcome}`, started);
          }
        }
        break;
      }
    }
  }
  return report;
}
