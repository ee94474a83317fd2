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

/** PUT approve/reject on either side family; the async families answer 202 + Azure-AsyncOperation. */
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
  const [ns] = family.type.split("/");
  const base = `${ctx.baseUrl()}/subscriptions/${provider.subscriptionId}/providers/${ns}/locations/${provider.location}`;
  const q = `?api-version=${encodeURIComponent(call.apiVersion)}`;
  const resultsSegment =
    family.asyncOperationSegment === "azureAsyncOperation"
      ? "operationResults"
      : "privateEndpointConnectionOperationResults";
  return {
    status: 202,
    headers: {
      "azure-asyncoperation": `${base}/${family.asyncOperationSegment}/${opId}${q}`,
      location: `${base}/${resultsSegment}/${opId}${q}`,
    },
  };
}

export function deleteConnection(call: ArmCall, provider: ProviderResource, connectionId: string): SandboxResponse {
  const removed = call.ctx.store.deleteConnection(connectionId);
  if (!removed) return { status: 204 };
  call.ctx.emit("delete", removed.id, `${connectionType(provider)}/delete`, callerOf(call.token, "plautopilot"));
  return { status: 200 };
}

export function getConnection(call: ArmCall, provider: ProviderResource, connectionId: string): SandboxResponse {
  const connection = call.ctx.store.connections.get(idKey(connectionId));
  if (!connection) throw notFound(connectionType(provider), call.path.names.join("/"), call.path.resourceGroup);
  return { status: 200, json: connectionView(connection, provider) };
}
