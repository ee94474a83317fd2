import { isPrivateEndpointConnectionId, tryParseArmId, type ArmId } from "./arm-id";
import type { AzureConnectionStatus } from "./connection";
import { DomainError } from "./errors";
import { normaliseGuid } from "./guid";
import { field, isObject, path, str, stringMap, text, type JsonObject } from "./safe-json";

/** Which event a signal came from. */
export interface EventOrigin {
  eventId: string;
  eventTime: string;
  correlationId?: string;
}

/** A consumer-side private endpoint event. */
interface EndpointEvent extends EventOrigin {
  privateEndpointId: string;
  subscriptionId: string;
  tenantId?: string;
}

/** What one Event Grid event means to us. */
export type IntakeSignal =
  | ({ kind: "private-endpoint-written" } & EndpointEvent)
  | ({ kind: "private-endpoint-deleted" } & EndpointEvent)
  | ({
      kind: "connection-written";
      connectionId: string;
      providerResourceId: string;
      /** True when the write is the echo of our own approve/reject PUT. */
      initiatedBySelf: boolean;
    } & EventOrigin)
  | ({ kind: "connection-deleted"; connectionId: string; providerResourceId: string } & EventOrigin)
  | ({
      kind: "resource-notification";
      providerResourceId: string;
      providerResourceType: string;
      location?: string;
      tags?: Record<string, string>;
      connections: NotifiedConnection[];
    } & EventOrigin)
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
  /** Object ids / app ids of OUR managed identity: writes whose claims carry them are our own echo. */
  selfPrincipalIds?: readonly string[];
}

export const EVENT_TYPES = {
  resourceWriteSuccess: "Microsoft.Resources.ResourceWriteSuccess",
  resourceDeleteSuccess: "Microsoft.Resources.ResourceDeleteSuccess",
  resourceCreatedOrUpdated: "Microsoft.ResourceNotifications.Resources.CreatedOrUpdated",
  subscriptionValidation: "Microsoft.EventGrid.SubscriptionValidationEvent",
} as const;

/** The Event Grid event types the intake acts on (infra filters on these). */
export const HANDLED_EVENT_TYPES: readonly string[] = [
  EVENT_TYPES.resourceWriteSuccess,
  EVENT_TYPES.resourceDeleteSuccess,
  EVENT_TYPES.resourceCreatedOrUpdated,
];

const PE_WRITE = "Microsoft.Network/privateEndpoints/write";
const PE_DELETE = "Microsoft.Network/privateEndpoints/delete";
const PEC_WRITE_SUFFIX = "/privateEndpointConnections/write";
const PEC_DELETE_SUFFIX = "/privateEndpointConnections/delete";

// Event types and operation names arrive in any casing; compare lower-case.
const lower = {
  writeSuccess: EVENT_TYPES.resourceWriteSuccess.toLowerCase(),
  deleteSuccess: EVENT_TYPES.resourceDeleteSuccess.toLowerCase(),
  createdOrUpdated: EVENT_TYPES.resourceCreatedOrUpdated.toLowerCase(),
  validation: EVENT_TYPES.subscriptionValidation.toLowerCase(),
  peWrite: PE_WRITE.toLowerCase(),
  peDelete: PE_DELETE.toLowerCase(),
  pecWrite: PEC_WRITE_SUFFIX.toLowerCase(),
  pecDelete: PEC_DELETE_SUFFIX.toLowerCase(),
};

/** Provider types whose connection writes/deletes we list explicitly for exact-match filters. */
const PROVIDER_TYPES = [
  "Microsoft.Network/privateLinkServices",
  "Microsoft.Storage/storageAccounts",
  "Microsoft.Sql/servers",
  "Microsoft.DBforPostgreSQL/flexibleServers",
  "Microsoft.DBforMySQL/flexibleServers",
  "Microsoft.KeyVault/vaults",
  "Microsoft.DocumentDB/databaseAccounts",
];

/** data.operationName values acted on (infra advanced filters); any "…/privateEndpointConnections/write|delete" is handled too. */
export const HANDLED_OPERATION_NAMES: readonly string[] = [
  PE_WRITE,
  PE_DELETE,
  ...PROVIDER_TYPES.flatMap((t) => [t + PEC_WRITE_SUFFIX, t + PEC_DELETE_SUFFIX]),
];

/** Event Grid delivers at most 5,000 events / 1 MB per batch. */
export const MAX_EVENTS_PER_BATCH = 5000;
export const MAX_PAYLOAD_CHARS = 1024 * 1024;
/** Bounds the connections read from one resource notification. */
export const MAX_CONNECTIONS_PER_RESOURCE = 1000;

const NOT_EVENT =
  "Send an Event Grid event (eventType, id, data) or a CloudEvents 1.0 event (specversion, type, id), or an array of them.";

/** Turns an Event Grid payload (one event or an array; Event Grid schema or CloudEvents 1.0) into intake signals. */
export function parseEventGridPayload(payload: unknown, options: IntakeOptions = {}): IntakeSignal[] {
  const value = typeof payload === "string" ? parseJsonText(payload) : payload;
  const events = Array.isArray(value) ? value : [value];
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new DomainError(
      "EVENT_BATCH_TOO_LARGE",
      `The batch holds ${events.length} events; Event Grid sends at most ${MAX_EVENTS_PER_BATCH}. Split it into smaller batches.`,
    );
  }
  const self = new Set((options.selfPrincipalIds ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean));
  const signals: IntakeSignal[] = [];
  let recognised = 0;
  for (const raw of events) {
    const event = readEnvelope(raw);
    if (!event) {
      signals.push({ kind: "ignored", reason: "not an Event Grid or CloudEvents event" });
      continue;
    }
    recognised++;
    signals.push(classify(event, self));
  }
  if (recognised === 0 && events.length > 0) {
    throw new DomainError("EVENT_PAYLOAD_INVALID", `The payload is not an Event Grid event. ${NOT_EVENT}`);
  }
  return signals;
}

function parseJsonText(body: string): unknown {
  if (body.length > MAX_PAYLOAD_CHARS) {
    throw new DomainError(
      "EVENT_BATCH_TOO_LARGE",
      `The payload is larger than Event Grid's 1 MB limit. Split it into smaller batches.`,
    );
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new DomainError("EVENT_PAYLOAD_INVALID", `The payload is not valid JSON. ${NOT_EVENT}`);
  }
}

interface Envelope {
  id: string;
  type: string;
  time: string;
  subject?: string;
  data: JsonObject;
}

function readEnvelope(raw: unknown): Envelope | undefined {
  if (!isObject(raw)) return undefined;
  // Event Grid schema uses eventType/eventTime, CloudEvents type/time.
  const type =
    text(field(raw, "eventType")) ?? (field(raw, "specversion") !== undefined ? text(field(raw, "type")) : undefined);
  if (!type) return undefined;
  let data = field(raw, "data");
  if (typeof data === "string" && data.length <= MAX_PAYLOAD_CHARS) {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      data = undefined;
    }
  }
  return {
    id: text(field(raw, "id")) ?? "",
    type,
    time: text(field(raw, "eventTime")) ?? text(field(raw, "time")) ?? "",
    subject: text(field(raw, "subject")),
    data: isObject(data) ? data : {},
  };
}

function classify(event: Envelope, self: ReadonlySet<string>): IntakeSignal {
  const ignore = (reason: string): IntakeSignal => ({
    kind: "ignored",
    reason,
    ...optional("eventId", event.id || undefined),
    eventType: event.type,
  });
  const type = event.type.toLowerCase();
  if (type === lower.validation) {
    return ignore("subscription validation handshake; the webhook endpoint answers it, not the intake");
  }
  if (type === lower.createdOrUpdated) return resourceNotification(event, ignore);
  const isWrite = type === lower.writeSuccess;
  const isDelete = type === lower.deleteSuccess;
  if (!isWrite && !isDelete) {
    if (/(write|delete|action)(failure|cancel)/.test(type)) return ignore("the operation failed or was cancelled");
    if (/actionsuccess$/.test(type)) return ignore("a resource action (such as listKeys), not a write");
    return ignore(`event type ${event.type} is not one the intake acts on`);
  }

  const data = event.data;
  const status = text(field(data, "status"));
  if (status && status.toLowerCase() !== "succeeded") return ignore(`the operation status is ${status}, not Succeeded`);
  const operation = (
    text(field(data, "operationName")) ??
    text(path(data, "authorization", "action")) ??
    ""
  ).toLowerCase();
  if (operation.endsWith("/action")) return ignore("a resource action (such as listKeys), not a write");
  if (operation.startsWith("microsoft.network/networkinterfaces/")) {
    return ignore("a network interface event; the endpoint's own event carries what we need");
  }
  const id = tryParseArmId(text(field(data, "resourceUri")) ?? event.subject ?? "");
  const common = { eventId: event.id, eventTime: event.time };
  const correlationId = text(field(data, "correlationId"));

  if (operation === lower.peWrite || operation === lower.peDelete) {
    if ((operation === lower.peWrite) !== isWrite) return ignore("operation and event type disagree");
    if (!id || id.type?.toLowerCase() !== "microsoft.network/privateendpoints") {
      return ignore("the resource is not a private endpoint id");
    }
    return {
      kind: isWrite ? "private-endpoint-written" : "private-endpoint-deleted",
      privateEndpointId: id.id,
      subscriptionId: id.subscriptionId,
      ...optional("tenantId", tenantOf(data)),
      ...common,
      ...optional("correlationId", correlationId),
    };
  }
  if (operation.endsWith(lower.pecWrite) || operation.endsWith(lower.pecDelete)) {
    if (!operation.endsWith(isWrite ? lower.pecWrite : lower.pecDelete))
      return ignore("operation and event type disagree");
    if (!id || !isPrivateEndpointConnectionId(id))
      return ignore("the resource is not a private endpoint connection id");
    const providerResourceId = (id.parent as ArmId).id;
    if (isDelete) return { kind: "connection-deleted", connectionId: id.id, providerResourceId, ...common };
    return {
      kind: "connection-written",
      connectionId: id.id,
      providerResourceId,
      initiatedBySelf: callerIds(data).some((c) => self.has(c)),
      ...common,
      ...optional("correlationId", correlationId),
    };
  }
  return ignore(`operation ${operation || "(none)"} is not one the intake acts on`);
}

function tenantOf(data: JsonObject): string | undefined {
  const candidates = [
    field(data, "tenantId"),
    path(data, "claims", "http://schemas.microsoft.com/identity/claims/tenantid"),
    path(data, "claims", "tid"),
  ];
  for (const c of candidates) {
    const t = normaliseGuid(c);
    if (t) return t;
  }
  return undefined;
}

/** Who made the call: object id, app id and the RBAC evidence principal, lower-cased. */
function callerIds(data: JsonObject): string[] {
  const claims = field(data, "claims");
  const values = [
    field(claims, "http://schemas.microsoft.com/identity/claims/objectidentifier"),
    field(claims, "oid"),
    field(claims, "appid"),
    field(claims, "azp"),
    path(data, "authorization", "evidence", "principalId"),
  ];
  return values.map((v) => text(v)?.toLowerCase()).filter((v): v is string => v !== undefined);
}

function resourceNotification(event: Envelope, ignore: (reason: string) => IntakeSignal): IntakeSignal {
  const info = field(event.data, "resourceInfo");
  const id = tryParseArmId(text(field(info, "id")) ?? event.subject ?? "");
  if (!id || id.type === undefined || id.provider === undefined)
    return ignore("the notification names no valid resource id");
  const list = path(info, "properties", "privateEndpointConnections");
  if (!Array.isArray(list)) return ignore("the resource carries no privateEndpointConnections");
  const connections: NotifiedConnection[] = [];
  for (const entry of list.slice(0, MAX_CONNECTIONS_PER_RESOURCE)) {
    const c = notifiedConnection(entry, id);
    if (c) connections.push(c);
  }
  return {
    kind: "resource-notification",
    providerResourceId: id.id,
    providerResourceType: text(field(info, "type")) ?? id.type,
    ...optional("location", text(field(info, "location"))),
    ...optional("tags", stringMap(field(info, "tags"))),
    connections,
    eventId: event.id,
    eventTime: event.time || (text(path(event.data, "operationalInfo", "resourceEventTime")) ?? ""),
  };
}

const STATUSES: Record<string, AzureConnectionStatus> = {
  pending: "Pending",
  approved: "Approved",
  rejected: "Rejected",
  disconnected: "Disconnected",
};

function notifiedConnection(entry: unknown, resource: ArmId): NotifiedConnection | undefined {
  const props = field(entry, "properties");
  const name = text(field(entry, "name"));
  const rawId = text(field(entry, "id")) ?? (name ? `${resource.id}/privateEndpointConnections/${name}` : undefined);
  const id = rawId ? tryParseArmId(rawId) : undefined;
  // Only connections that really hang off this resource; anything else is noise we must not act on.
  if (!id || !isPrivateEndpointConnectionId(id) || id.parent?.normalised !== resource.normalised) return undefined;
  const state = field(props, "privateLinkServiceConnectionState");
  const status = STATUSES[(text(field(state, "status")) ?? "").toLowerCase()];
  if (!status) return undefined;
  const description = str(field(state, "description"));
  const groups = field(props, "groupIds");
  const groupIds = Array.isArray(groups) ? groups.slice(0, 32).filter((g): g is string => typeof g === "string") : [];
  // While Pending, the provider side shows the consumer's request message as the state description.
  const requestMessage = str(field(props, "requestMessage")) ?? (status === "Pending" ? description : undefined);
  return {
    connectionId: id.id,
    status,
    ...optional("privateEndpointId", text(path(props, "privateEndpoint", "id"))),
    groupIds,
    ...optional("requestMessage", requestMessage),
    ...optional("description", description),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
