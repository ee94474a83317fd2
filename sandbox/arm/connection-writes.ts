import { badRequest, notFound } from "../http/arm-error";
import { idKey } from "./arm-path";
import { parseJsonObject } from "../http/body-reader";
import type { SandboxResponse } from "../http/http-types";
import type { ProviderResource } from "../estate/estate-records";
import { callerOf } from "./arm-context";
import type { ArmCall } from "./arm-handler";
import { connectionView } from "./arm-views";

/** Reads `properties.privateLinkServiceConnectionState` from a PUT body; anything else is a 400. */
function requestedState(body: string): { status: string; description: string } {
  const json = parseJsonObject(body);
  const props = json.properties as Record<string, unknown> | undefined;
  const state = props?.privateLinkServiceConnectionState as Record<string, unknown> | undefined;
  if (!state || typeof state.status !== "string") {
    throw badRequest(
      "InvalidRequestFormat",
      'The body must carry properties.privateLinkServiceConnectionState.status ("Approved" or "Rejected").',
    );
  }
  const description = typeof state.description === "string" ? state.description.slice(0, 1024) : "";
  return { status: state.status, description };
}

const connectionType = (provider: ProviderResource): string => `${provider.family.type}/privateEndpointConnections`;

/** PUT approve/reject: synchronous, or long-running as each service answers (resource-families.ts). */
export function putConnection(call: ArmCall, provider: ProviderResource, connectionId: string): SandboxResponse {
  const { ctx } = call;
  const wanted = requestedState(call.req.body);
  const { connection, changed } = ctx.store.setConnectionState(connectionId, wanted.status, wanted.description);
  if (changed)
    ctx.emit("write", connection.id, `${connectionType(provider)}/write`, callerOf(call.token, "plautopilot"));
  const family = provider.family;
  if (family.putMode === "sync") return { status: 200, json: connectionView(connection, provider) };

  connection.provisioningState = "Updating";
  const opId = ctx.operations.start(ctx.now(), () => {
    connection.provisioningState = family.settledState;
  });
  const urls = operationUrls(call, provider, opId);
  if (family.putMode === "sync-with-operation") {
    return {
      status: 200,
      headers: { "azure-asyncoperation": urls.asyncOperation, "retry-after": "1" },
      json: connectionView(connection, provider),
    };
  }
  return { status: 202, headers: { "azure-asyncoperation": urls.asyncOperation, location: urls.location } };
}

/** The operation-status URLs under `/providers/{ns}/locations/{loc}/`, as PostgreSQL and SQL name them. */
function operationUrls(call: ArmCall, provider: ProviderResource, opId: string) {
  const family = provider.family;
  const [ns] = family.type.split("/");
  const base = `${call.ctx.baseUrl()}/subscriptions/${provider.subscriptionId}/providers/${ns}/locations/${provider.location}`;
  const q = `?api-version=${encodeURIComponent(call.apiVersion)}`;
  const resultsSegment =
    family.asyncOperationSegment === "privateEndpointConnectionAzureAsyncOperation"
      ? "privateEndpointConnectionOperationResults"
      : "operationResults";
  return {
    asyncOperation: `${base}/${family.asyncOperationSegment}/${opId}${q}`,
    location: `${base}/${resultsSegment}/${opId}${q}`,
  };
}

/** DELETE: 204 when absent; otherwise synchronous or long-running as each service answers. */
export function deleteConnection(call: ArmCall, provider: ProviderResource, connectionId: string): SandboxResponse {
  const { ctx } = call;
  const connection = ctx.store.connections.get(idKey(connectionId));
  if (!connection) return { status: 204 };
  const remove = (): void => {
    const removed = ctx.store.deleteConnection(connectionId);
    if (removed)
      ctx.emit("delete", removed.id, `${connectionType(provider)}/delete`, callerOf(call.token, "plautopilot"));
  };
  const family = provider.family;
  if (family.deleteMode === "sync") {
    remove();
    return { status: 200 };
  }
  if (!connection.deleteOperationId) {
    connection.provisioningState = "Deleting";
    connection.deleteOperationId = ctx.operations.start(ctx.now(), remove);
  }
  const opId = connection.deleteOperationId;
  if (family.deleteMode === "async") {
    const urls = operationUrls(call, provider, opId);
    return { status: 202, headers: { "azure-asyncoperation": urls.asyncOperation, location: urls.location } };
  }
  // Key Vault: the Location names the connection itself on another host (deletePrivateEndpointConnection example).
  const elsewhere = new URL(ctx.baseUrl());
  elsewhere.hostname = elsewhere.hostname === "localhost" ? "127.0.0.1" : "localhost";
  const location = `${elsewhere.origin}${call.req.path}?api-version=${encodeURIComponent(call.apiVersion)}&operationid=${opId}`;
  return { status: 202, headers: { location, "retry-after": "1" } };
}

export function getConnection(call: ArmCall, provider: ProviderResource, connectionId: string): SandboxResponse {
  const { ctx } = call;
  const pending = ctx.store.connections.get(idKey(connectionId))?.deleteOperationId;
  // A reader of a connection being deleted sees it Deleting, then gone: the look moves the operation on.
  if (pending) ctx.operations.poll(pending, ctx.now());
  const connection = ctx.store.connections.get(idKey(connectionId));
  if (!connection) {
    if (provider.family.absentConnectionStatus === 204) return { status: 204 };
    throw notFound(connectionType(provider), call.path.names.join("/"), call.path.resourceGroup);
  }
  return { status: 200, json: connectionView(connection, provider) };
}
