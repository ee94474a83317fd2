import { isPrivateEndpointConnectionId, tryParseArmId } from "./arm-id";
import type { AzureConnectionStatus, ConnectionRequest, SignalSource } from "./connection";
import { DomainError } from "./errors";
import { normaliseGuid } from "./guid";
import type { IntakeSignal } from "./intake";
import { field, isObject, str, stringMap, text } from "./safe-json";

// Turns untrusted JSON (CLI files, HTTP bodies) into a ConnectionRequest, or says everything that is wrong with it.

const STATUSES: readonly AzureConnectionStatus[] = ["Pending", "Approved", "Rejected", "Disconnected"];
const SOURCES: readonly SignalSource[] = ["event-grid", "resource-notification", "http", "sweep", "cli"];
const MAX_MESSAGE = 1024;

export interface RequestDefaults {
  source: SignalSource;
  /** ISO time used when the input has no observedAt. */
  observedAt: string;
}

/** Validates a ConnectionRequest-shaped value; fills providerResourceId/type from the connection id. Throws REQUEST_INVALID. */
export function parseConnectionRequest(value: unknown, defaults: RequestDefaults): ConnectionRequest {
  if (!isObject(value)) throw requestInvalid(["the request must be a JSON object"]);
  const errors: string[] = [];
  const connection = tryParseArmId(str(field(value, "connectionId")) ?? "");
  if (!connection || !isPrivateEndpointConnectionId(connection)) {
    errors.push(
      "connectionId must be the resource id of a private endpoint connection (…/privateEndpointConnections/<name>)",
    );
  }
  const parent = connection?.parent;
  const providerText = text(field(value, "providerResourceId"));
  const provider = providerText === undefined ? parent : tryParseArmId(providerText);
  if (!provider) errors.push("providerResourceId must be a resource id");
  else if (parent && provider.normalised !== parent.normalised) {
    errors.push("providerResourceId must be the resource the connection belongs to");
  }
  const guid = (key: string) => {
    const v = field(value, key);
    if (v === undefined) return undefined;
    const g = normaliseGuid(v);
    if (!g) errors.push(`${key} must be a GUID`);
    return g;
  };
  const consumerSubscriptionId = guid("consumerSubscriptionId");
  const consumerTenantId = guid("consumerTenantId");
  const groups = field(value, "groupIds") ?? [];
  if (!Array.isArray(groups) || groups.length > 32 || !groups.every((g) => typeof g === "string")) {
    errors.push("groupIds must be a list of at most 32 strings");
  }
  const status = field(value, "status") ?? "Pending";
  if (!STATUSES.includes(status as AzureConnectionStatus)) errors.push(`status must be one of ${STATUSES.join(", ")}`);
  const source = field(value, "source") ?? defaults.source;
  if (!SOURCES.includes(source as SignalSource)) errors.push(`source must be one of ${SOURCES.join(", ")}`);
  const observedAt = field(value, "observedAt") ?? defaults.observedAt;
  if (typeof observedAt !== "string" || Number.isNaN(Date.parse(observedAt)))
    errors.push("observedAt must be an ISO time");
  const message = field(value, "requestMessage");
  if (message !== undefined && (typeof message !== "string" || message.length > MAX_MESSAGE)) {
    errors.push(`requestMessage must be text of at most ${MAX_MESSAGE} characters`);
  }
  const endpointText = text(field(value, "privateEndpointId"));
  if (endpointText !== undefined && !tryParseArmId(endpointText))
    errors.push("privateEndpointId must be a resource id");
  const typeText = field(value, "providerResourceType");
  if (typeText !== undefined && typeof typeText !== "string") errors.push("providerResourceType must be text");
  if (errors.length > 0 || !connection || !provider) throw requestInvalid(errors);

  const request: ConnectionRequest = {
    connectionId: connection.id,
    providerResourceId: provider.id,
    providerResourceType: (typeText as string | undefined) ?? provider.type ?? "",
    groupIds: [...(groups as string[])],
    status: status as AzureConnectionStatus,
    source: source as SignalSource,
    observedAt: observedAt as string,
  };
  const tags = stringMap(field(value, "providerResourceTags"));
  if (tags) request.providerResourceTags = tags;
  if (endpointText !== undefined) request.privateEndpointId = endpointText;
  if (consumerSubscriptionId !== undefined) request.consumerSubscriptionId = consumerSubscriptionId;
  if (consumerTenantId !== undefined) request.consumerTenantId = consumerTenantId;
  if (typeof message === "string") request.requestMessage = message;
  const location = text(field(value, "location"));
  if (location !== undefined) request.location = location;
  return request;
}

function requestInvalid(errors: string[]): DomainError {
  return new DomainError(
    "REQUEST_INVALID",
    `The connection request is not valid: ${errors.join("; ")}. Fix these fields and try again.`,
  );
}

/** A request built from a signal, and what the signal could not tell. */
export interface SignalRequest {
  request: ConnectionRequest;
  /** Set when part of the request is unknown from the signal alone (the live workflow reads it from ARM). */
  incomplete?: string;
}

/** The connection requests an intake signal describes (Pending connections of a notification; one per write). */
export function requestsFromSignal(signal: IntakeSignal, observedAt: string): SignalRequest[] {
  switch (signal.kind) {
    case "resource-notification":
      return signal.connections
        .filter((c) => c.status === "Pending")
        .map((c) => {
          const request: ConnectionRequest = {
            connectionId: c.connectionId,
            providerResourceId: signal.providerResourceId,
            providerResourceType: signal.providerResourceType,
            groupIds: [...c.groupIds],
            status: c.status,
            source: "resource-notification",
            observedAt,
          };
          if (signal.tags) request.providerResourceTags = { ...signal.tags };
          if (signal.location) request.location = signal.location;
          if (c.privateEndpointId) {
            request.privateEndpointId = c.privateEndpointId;
            const sub = tryParseArmId(c.privateEndpointId)?.subscriptionId;
            if (sub) request.consumerSubscriptionId = sub;
          }
          if (c.requestMessage !== undefined) request.requestMessage = c.requestMessage;
          return { request };
        });
    case "connection-written":
      if (signal.initiatedBySelf) return [];
      return [
        {
          request: {
            connectionId: signal.connectionId,
            providerResourceId: signal.providerResourceId,
            providerResourceType: tryParseArmId(signal.providerResourceId)?.type ?? "",
            groupIds: [],
            status: "Pending",
            source: "event-grid",
            observedAt,
          },
          incomplete:
            "the event does not carry the group ids, consumer or request message; those conditions cannot match",
        },
      ];
    case "private-endpoint-written":
      return [
        {
          request: {
            connectionId: "",
            providerResourceId: "",
            providerResourceType: "",
            groupIds: [],
            privateEndpointId: signal.privateEndpointId,
            consumerSubscriptionId: signal.subscriptionId,
            ...(signal.tenantId ? { consumerTenantId: signal.tenantId } : {}),
            status: "Pending",
            source: "event-grid",
            observedAt,
          },
          incomplete:
            "the event does not name the target resource; resource, group and message conditions cannot match",
        },
      ];
    default:
      return [];
  }
}
