import { badRequest } from "../http/arm-error";
import { parseJsonObject } from "../http/body-reader";
import { Router } from "../http/router";
import type { CallLog } from "./call-log";
import { estateSummary } from "./estate-summary";
import { parseFaultOptions, type FaultInjector } from "./fault-injector";
import { guidFrom, type EstateStore } from "../estate/estate-store";
import type { EventDelivery } from "../events/event-delivery";
import type { Caller } from "../events/event-factory";
import { inboxHtml, type Inbox } from "../notify/inbox";

export interface ControlDeps {
  store: EstateStore;
  calls: CallLog;
  faults: FaultInjector;
  inbox: Inbox;
  deliveries: EventDelivery;
  emit: (kind: "write" | "delete", resourceId: string, operationName: string, caller: Caller) => void;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

/** The answer to POST /_sandbox/private-endpoints. */
export interface CreatedEndpoint {
  privateEndpointId: string;
  connectionId: string;
  status: string;
  privateIp: string;
  nicId: string;
  fqdns: string[];
}

function consumerCaller(subscriptionId: string, tenantId: string): Caller {
  // The Azure portal's app id: consumers create endpoints from the portal in the real payloads.
  return {
    objectId: guidFrom(`user:${subscriptionId}`),
    appId: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    tenantId,
    name: "Consumer Operator",
  };
}

function requiredString(body: Record<string, unknown>, key: string, pattern?: RegExp): string {
  const v = body[key];
  if (typeof v !== "string" || v.length === 0 || (pattern && !pattern.test(v))) {
    throw badRequest(
      "InvalidSandboxRequest",
      `${key} is required and must be a valid string${pattern ? ` matching ${pattern.source}` : ""}.`,
    );
  }
  return v;
}

function optionalString(body: Record<string, unknown>, key: string, max = 1024): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.length > max)
    throw badRequest("InvalidSandboxRequest", `${key} must be a string of at most ${max} characters.`);
  return v;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || typeof v === "boolean") return v;
  throw badRequest("InvalidSandboxRequest", `${key} must be true or false.`);
}

/** The local control API under /_sandbox (the interface scripts and tests drive the simulated estate with). */
export function controlRouter(deps: ControlDeps): Router {
  const { store } = deps;
  const router = new Router();
  router.on("POST", /^\/_sandbox\/private-endpoints$/, (req) => {
    const body = parseJsonObject(req.body);
    const input = {
      subscriptionId: requiredString(body, "subscriptionId", /^[0-9a-fA-F-]{36}$/),
      resourceGroup: requiredString(body, "resourceGroup", NAME),
      name: requiredString(body, "name", NAME),
      targetResourceId: requiredString(body, "targetResourceId", /^\/subscriptions\/.{1,400}$/),
      groupId: optionalString(body, "groupId", 80),
      requestMessage: optionalString(body, "requestMessage", 140),
      tenantId: optionalString(body, "tenantId", 36),
      customDnsConfigs: optionalBoolean(body, "customDnsConfigs"),
    };
    const { endpoint, created } = store.createEndpoint(input);
    // Every write of the endpoint raises an event in Azure, a repeated create too.
    deps.emit(
      "write",
      endpoint.id,
      "Microsoft.Network/privateEndpoints/write",
      consumerCaller(endpoint.subscriptionId, endpoint.tenantId),
    );
    const answer: CreatedEndpoint = {
      privateEndpointId: endpoint.id,
      connectionId: endpoint.connectionId,
      status: endpoint.status,
      privateIp: endpoint.privateIp,
      nicId: endpoint.nicId,
      fqdns: endpoint.fqdns,
    };
    return { status: created ? 201 : 200, json: answer };
  });
  router.on("DELETE", /^\/_sandbox\/private-endpoints\/(.+)$/, (_req, [raw]) => {
    const id = raw!.startsWith("/") ? raw! : `/${raw!}`;
    if (!/^\/subscriptions\//i.test(id))
      throw badRequest("InvalidSandboxRequest", "Give the endpoint's ARM id, URL-encoded or as a path.");
    const removed = store.deleteEndpoint(id);
    if (!removed) return { status: 204 };
    deps.emit(
      "delete",
      removed.endpoint.id,
      "Microsoft.Network/privateEndpoints/delete",
      consumerCaller(removed.endpoint.subscriptionId, removed.endpoint.tenantId),
    );
    return {
      status: 200,
      json: {
        privateEndpointId: removed.endpoint.id,
        connectionId: removed.connection?.id,
        connectionStatus: removed.connection?.status,
      },
    };
  });
  router.on("GET", /^\/_sandbox\/calls$/, () => ({ status: 200, json: deps.calls.snapshot() }));
  router.on("DELETE", /^\/_sandbox\/calls$/, () => {
    deps.calls.reset();
    return { status: 204 };
  });
  router.on("POST", /^\/_sandbox\/faults$/, (req) => {
    const options = parseFaultOptions(parseJsonObject(req.body));
    deps.faults.configure(options);
    return { status: 200, json: options };
  });
  router.on("GET", /^\/_sandbox\/faults$/, () => ({ status: 200, json: deps.faults.current() ?? {} }));
  router.on("DELETE", /^\/_sandbox\/faults$/, () => {
    deps.faults.configure(undefined);
    return { status: 204 };
  });
  router.on("GET", /^\/_sandbox\/estate$/, () => ({ status: 200, json: estateSummary(store) }));
  router.on("GET", /^\/_sandbox\/deliveries$/, () => ({ status: 200, json: { deliveries: deps.deliveries.list() } }));
  router.on("GET", /^\/_sandbox\/inbox$/, () => ({ status: 200, json: { items: deps.inbox.list() } }));
  router.on("DELETE", /^\/_sandbox\/inbox$/, () => {
    deps.inbox.clear();
    return { status: 204 };
  });
  router.on("GET", /^\/_sandbox\/inbox\.html$/, () => ({
    status: 200,
    text: inboxHtml(deps.inbox.list()),
    contentType: "text/html; charset=utf-8",
  }));
  return router;
}
