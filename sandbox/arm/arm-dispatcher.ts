import { ArmError, errorResponse, requireGet, unservedType } from "../http/arm-error";
import type { SandboxRequest, SandboxResponse } from "../http/http-types";
import { isArmAudience, type IssuedToken } from "../identity/token-store";
import { operationName } from "../control/call-log";
import type { ArmContext } from "./arm-context";
import type { ArmCall } from "./arm-handler";
import { parseArmPath, type ArmPath } from "./arm-path";
import { endpointRoutes, networkInterfaceRoutes } from "./endpoint-routes";
import { privateDnsRoutes } from "./private-dns-routes";
import {
  isResourceGraphPath,
  RESOURCE_GRAPH_API_VERSIONS,
  ResourceGraphQuota,
  resourceGraphQuery,
} from "./resource-graph";
import { providerRoutes } from "./provider-routes";
import { resourceList } from "./resource-list";
import {
  NETWORK_API_VERSIONS,
  PAAS_FAMILIES,
  PRIVATE_DNS_API_VERSIONS,
  PRIVATE_LINK_SERVICE,
  RESOURCES_API_VERSIONS,
} from "./resource-families";

/** "hang" asks the server to leave the request unanswered (a simulated timeout). */
export type ArmOutcome = SandboxResponse | "hang";

interface Route {
  versions: readonly string[];
  handle: (call: ArmCall) => SandboxResponse;
}

/** The type key is `prefix` or a child type of it. */
const under = (key: string, prefix: string): boolean => key === prefix || key.startsWith(`${prefix}/`);

function routeFor(path: ArmPath): Route | undefined {
  const key = path.typeKey;
  if (under(key, "microsoft.network/privatelinkservices")) {
    return { versions: NETWORK_API_VERSIONS, handle: (c) => providerRoutes(c, PRIVATE_LINK_SERVICE) };
  }
  if (key === "microsoft.network/privateendpoints") return { versions: NETWORK_API_VERSIONS, handle: endpointRoutes };
  if (key === "microsoft.network/networkinterfaces")
    return { versions: NETWORK_API_VERSIONS, handle: networkInterfaceRoutes };
  if (under(key, "microsoft.network/privatednszones"))
    return { versions: PRIVATE_DNS_API_VERSIONS, handle: privateDnsRoutes };
  if (key === "resources") return { versions: RESOURCES_API_VERSIONS, handle: resourceList };
  for (const family of PAAS_FAMILIES) {
    const [ns] = family.type.split("/");
    if (under(key, family.type.toLowerCase()))
      return { versions: family.apiVersions, handle: (c) => providerRoutes(c, family) };
    if (path.namespace?.toLowerCase() === ns!.toLowerCase() && path.types[0]?.toLowerCase() === "locations") {
      return { versions: family.apiVersions, handle: operationStatus };
    }
  }
  return undefined;
}

/** GET of an Azure-AsyncOperation URL (status body) or its Location twin (202 until done, then 200). */
function operationStatus(call: ArmCall): SandboxResponse {
  const { ctx, path } = call;
  requireGet(call.req.method);
  const opId = path.names[1];
  const body = opId && path.names.length === 2 ? ctx.operations.poll(opId, ctx.now()) : undefined;
  if (!body) throw new ArmError(404, "OperationNotFound", "No such long-running operation; it may have expired.");
  if (/operationresults$/i.test(path.types[1] ?? "")) return { status: body.status === "Succeeded" ? 200 : 202 };
  return { status: 200, json: body };
}

/** Handles an ARM request end to end: auth, faults, api-version, subscription access, routing and the call log. */
export async function handleArm(ctx: ArmContext, req: SandboxRequest): Promise<ArmOutcome | undefined> {
  const graph = isResourceGraphPath(req.path);
  const path = graph ? undefined : parseArmPath(req.path);
  if (!graph && !path) return undefined;
  const apiVersion = req.url.searchParams.get("api-version") ?? "";
  const operation = path ? operationName(req.method, path.types, path.isCollection) : "POST resourcegraph/resources";
  let outcome: ArmOutcome;
  let fault: string | undefined;
  try {
    const token = authenticate(ctx, req);
    const latency = ctx.faults.latencyMs();
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const decision = ctx.faults.decide(`${req.method} ${req.path}`, operation);
    if (decision.kind === "hang") {
      fault = "hang";
      outcome = "hang";
    } else if (decision.kind === "error") {
      fault = String(decision.error.status);
      throw decision.error;
    } else {
      outcome = path ? dispatch(ctx, req, path, apiVersion, token) : graphQuery(ctx, req, apiVersion, token);
    }
  } catch (err) {
    if (!(err instanceof ArmError)) throw err;
    outcome = errorResponse(err);
  }
  ctx.calls.record({
    at: ctx.now().toISOString(),
    host: req.headers.host ?? "",
    method: req.method,
    path: req.path,
    operation,
    apiVersion,
    status: outcome === "hang" ? 0 : outcome.status,
    ...(fault ? { fault } : {}),
  });
  return outcome;
}

const graphQuotas = new WeakMap<ArmContext, ResourceGraphQuota>();

function graphQuery(ctx: ArmContext, req: SandboxRequest, apiVersion: string, token: IssuedToken): SandboxResponse {
  checkApiVersion(apiVersion, RESOURCE_GRAPH_API_VERSIONS);
  let quota = graphQuotas.get(ctx);
  if (!quota) graphQuotas.set(ctx, (quota = new ResourceGraphQuota()));
  return resourceGraphQuery(ctx, req, quota.spend(token.objectId, ctx.now().getTime()));
}

function dispatch(
  ctx: ArmContext,
  req: SandboxRequest,
  path: ArmPath,
  apiVersion: string,
  token: IssuedToken,
): SandboxResponse {
  const route = routeFor(path);
  if (!route) throw unservedType(path.typeKey);
  checkApiVersion(apiVersion, route.versions);
  checkSubscription(ctx, path, token);
  return route.handle({ ctx, req, path, apiVersion, token });
}

function checkApiVersion(apiVersion: string, versions: readonly string[]): void {
  if (!apiVersion) {
    throw new ArmError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  if (!versions.includes(apiVersion)) {
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${apiVersion}' is invalid. The supported versions are '${versions.join(",")}'.`,
    );
  }
}

function authenticate(ctx: ArmContext, req: SandboxRequest): IssuedToken {
  const header = req.headers.authorization ?? "";
  const challenge = {
    "www-authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"`,
  };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new ArmError(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing; send a bearer token from the identity endpoint.",
      challenge,
    );
  }
  const token = ctx.tokens.lookup(match[1]!, Math.floor(ctx.now().getTime() / 1000));
  if (!token) {
    throw new ArmError(
      401,
      "InvalidAuthenticationToken",
      "The access token is invalid or expired; get a new one from the identity endpoint.",
      challenge,
    );
  }
  if (!isArmAudience(token.resource)) {
    throw new ArmError(
      401,
      "InvalidAuthenticationTokenAudience",
      `The access token has been obtained for the wrong audience '${token.resource}'; ask for https://management.azure.com.`,
      challenge,
    );
  }
  return token;
}

function checkSubscription(ctx: ArmContext, path: ArmPath, token: IssuedToken): void {
  if (!ctx.store.knownSubscription(path.subscriptionId)) {
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${path.subscriptionId}' could not be found.`);
  }
  const consumer = ctx.store.consumer(path.subscriptionId);
  if (consumer && !consumer.readableByApp) {
    const scope = path.resourceGroup
      ? `/subscriptions/${path.subscriptionId}/resourceGroups/${path.resourceGroup}`
      : `/subscriptions/${path.subscriptionId}`;
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${token.objectId}' with object id '${token.objectId}' does not have authorization to perform action '${path.namespace ?? "Microsoft.Resources"}/${path.types[0] ?? "subscriptions"}/read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
}
