import type { AzureConnectionStatus } from "./connection";
import { DomainError } from "./errors";

export type IntakeSignal =
  | {
      kind: "private-endpoint-written";
      privateEndpointId: string;
      subscriptionId: string;
      tenantId?: string;
      eventId: string;
      eventTime: string;
      correlationId?: string;
    }
  | {
      kind: "private-endpoint-deleted";
      privateEndpointId: string;
      subscriptionId: string;
      tenantId?: string;
      eventId: string;
      eventTime: string;
      correlationId?: string;
    }
  | {
      kind: "connection-written";
      connectionId: string;
      providerResourceId: string;
      initiatedBySelf: boolean;
      eventId: string;
      eventTime: string;
      correlationId?: string;
    }
  | { kind: "connection-deleted"; connectionId: string; providerResourceId: string; eventId: string; eventTime: string }
  | {
      kind: "resource-notification";
      providerResourceId: string;
      providerResourceType: string;
      location?: string;
      tags?: Record<string, string>;
      connections: NotifiedConnection[];
      eventId: string;
      eventTime: string;
    }
  | { kind: "ignored"; reason: string; eventId?: string; eventType?: string };
export interface NotifiedConnection {
  connectionId: string;
  status: AzureConnectionStatus;
  privateEndpointId?: string;
  groupIds: string[];
  requestMessage?: string;
  description?: string;
}
export interface IntakeOptions {
  selfPrincipalIds?: readonly string[];
}
export function parseEventGridPayload(payload: unknown, options?: IntakeOptions): IntakeSignal[] {
  throw new DomainError("NOT_IMPLEMENTED", String(payload) + String(options));
}
export const HANDLED_EVENT_TYPES: readonly string[] = [];
export const HANDLED_OPERATION_NAMES: readonly string[] = [];
