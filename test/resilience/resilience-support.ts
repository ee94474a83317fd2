/**
 * What the resilience suites share: the run size and seed from the environment, forged and late events posted to
 * the app's Event Grid webhook, ARM's view of the world for counting, and the one summary line each suite prints.
 */
import { randomUUID } from "node:crypto";
import { encodeKey } from "../../src/domain/arm-id";
import type { E2eStack } from "../e2e/e2e-stack";

/** `RESILIENCE_FULL=1` (npm run test:resilience) runs the bigger variant; the default fits in `npm test`. */
export const FULL = process.env.RESILIENCE_FULL === "1";
/** Seeds the sandbox's fault injector; printed so a failing run can be repeated. */
export const SEED = Number(process.env.RESILIENCE_SEED ?? "9");

/** Prints `resilience <name>: <category>=<n> ... seed=<seed>` and returns the counts for the zero assertion. */
export function report(name: string, counts: Record<string, number>): Record<string, number> {
  const parts = Object.entries(counts).map(([k, v]) => `${k}=${v}`);
  console.log(`resilience ${name}: ${parts.join(" ")} seed=${SEED}${FULL ? " full" : ""}`);
  return counts;
}

/** Posts events to the app's Event Grid webhook as the system topic would; returns the HTTP status. */
export async function postEvents(stack: E2eStack, events: unknown[], cloudEvents = false): Promise<number> {
  const url = `${stack.devhost.url}/runtime/webhooks/eventgrid?functionName=resource-events&code=${encodeURIComponent(stack.devhost.keys.eventGrid)}`;
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": cloudEvents ? "application/cloudevents-batch+json" : "application/json",
      "aeg-event-type": "Notification",
    },
    body: JSON.stringify(events),
  });
  await res.text();
  return res.status;
}

function subscriptionOf(resourceId: string): string {
  return resourceId.split("/")[2] ?? "";
}

/** A Resource Manager event about `resourceId`, as the subscription system topic shapes it. */
export function resourceEvent(
  kind: "write" | "delete",
  resourceId: string,
  operationName: string,
  tenantId = "10000000-0000-0000-0000-000000000001",
): Record<string, unknown> {
  const subscriptionId = subscriptionOf(resourceId);
  return {
    id: randomUUID(),
    topic: `/subscriptions/${subscriptionId}`,
    subject: resourceId,
    eventType:
      kind === "write" ? "Microsoft.Resources.ResourceWriteSuccess" : "Microsoft.Resources.ResourceDeleteSuccess",
    eventTime: new Date().toISOString(),
    data: {
      authorization: { scope: resourceId, action: operationName },
      claims: {
        "http://schemas.microsoft.com/identity/claims/objectidentifier": randomUUID(),
        "http://schemas.microsoft.com/identity/claims/tenantid": tenantId,
      },
      correlationId: randomUUID(),
      resourceProvider: operationName.split("/")[0],
      resourceUri: resourceId,
      operationName,
      status: "Succeeded",
      subscriptionId,
      tenantId,
    },
    dataVersion: "2",
    metadataVersion: "1",
  };
}

/** The same event in the CloudEvents 1.0 schema. */
export function asCloudEvent(event: Record<string, unknown>): Record<string, unknown> {
  return {
    specversion: "1.0",
    type: event.eventType,
    source: event.topic,
    subject: event.subject,
    id: event.id,
    time: event.eventTime,
    datacontenttype: "application/json",
    data: event.data,
  };
}

/** An Azure Resource Notification for a provider resource, naming connections with the statuses given. */
export function resourceNotification(
  resource: { id: string; type: string },
  connections: { id: string; status: string; privateEndpointId?: string }[],
): Record<string, unknown> {
  return {
    id: randomUUID(),
    topic: `/subscriptions/${subscriptionOf(resource.id)}`,
    subject: resource.id,
    eventType: "Microsoft.ResourceNotifications.Resources.CreatedOrUpdated",
    eventTime: new Date().toISOString(),
    data: {
      resourceInfo: {
        id: resource.id,
        name: resource.id.split("/").at(-1),
        type: resource.type,
        location: "westeurope",
        properties: {
          privateEndpointConnections: connections.map((c) => ({
            id: c.id,
            name: c.id.split("/").at(-1),
            properties: {
              ...(c.privateEndpointId ? { privateEndpoint: { id: c.privateEndpointId } } : {}),
              privateLinkServiceConnectionState: { status: c.status, description: "", actionsRequired: "None" },
            },
          })),
        },
      },
      operationalInfo: { resourceEventTime: new Date().toISOString() },
    },
    dataVersion: "1",
    metadataVersion: "1",
  };
}

/** The app's row for a connection, or undefined. */
export async function rowOf(stack: E2eStack, connectionId: string): Promise<any> {
  const res = await stack.api("GET", `/connections/${encodeKey(connectionId)}`);
  return res.status === 200 ? res.body : undefined;
}

/** ARM's status of a connection (as the provider side reports it), or "absent". */
export async function armStatus(stack: E2eStack, connectionId: string): Promise<string> {
  const res = await stack.arm("GET", `${connectionId}?api-version=${apiVersionFor(connectionId)}`);
  if (res.status === 404) return "absent";
  return String(res.body?.properties?.privateLinkServiceConnectionState?.status ?? "unknown");
}

function apiVersionFor(id: string): string {
  const lower = id.toLowerCase();
  if (lower.includes("microsoft.dbforpostgresql")) return "2024-08-01";
  if (lower.includes("microsoft.network")) return "2025-05-01"; // what @azure/arm-network 36 sends
  if (lower.includes("microsoft.storage")) return "2023-05-01";
  if (lower.includes("microsoft.sql")) return "2023-08-01";
  return "2023-07-01";
}

/** True once the connection's audit history holds an entry whose message contains `text`. */
export async function audited(stack: E2eStack, connectionId: string, text: string): Promise<boolean> {
  const row = await rowOf(stack, connectionId);
  return (row?.history ?? []).some((e: { message: string }) => e.message.includes(text));
}
