import { methodNotAllowed, notFound, requireGet, unservedType } from "../http/arm-error";
import type { SandboxResponse } from "../http/http-types";
import type { ProviderResource } from "../estate/estate-records";
import type { ArmCall } from "./arm-handler";
import { inScope, resourceId } from "./arm-path";
import { connectionView, paasResourceView, privateLinkServiceView } from "./arm-views";
import { deleteConnection, getConnection, putConnection } from "./connection-writes";
import { pageOf } from "./paging";
import type { ResourceFamily } from "./resource-families";

function view(call: ArmCall, r: ProviderResource): Record<string, unknown> {
  const connections = call.ctx.store.connectionsOf(r.id);
  return r.pls ? privateLinkServiceView(r, connections) : paasResourceView(r, connections);
}

/**
 * Provider resources (a Private Link Service or a PaaS resource) and their privateEndpointConnections:
 * `{type}` list, `{type}/{name}` GET, `{type}/{name}/privateEndpointConnections[/{conn}]` list/GET/PUT/DELETE.
 */
export function providerRoutes(call: ArmCall, family: ResourceFamily): SandboxResponse {
  const { ctx, path, req } = call;
  const [name, connectionName] = path.names;
  if (name === undefined) {
    requireGet(req.method);
    const items = [...ctx.store.providers.values()].filter((r) => r.family === family && inScope(path, r));
    return pageOf(
      call,
      items.map((r) => view(call, r)),
    );
  }
  const id = resourceId(path.subscriptionId, path.resourceGroup ?? "", family.type, name);
  const provider = ctx.store.provider(id);
  if (!provider) throw notFound(family.type, name, path.resourceGroup);
  if (path.types.length === 1) {
    requireGet(req.method);
    // Readers of a resource see settled connections, as they would a few seconds later in Azure.
    ctx.operations.settleAll(ctx.now());
    return { status: 200, json: view(call, provider) };
  }
  if (path.types[1]?.toLowerCase() !== "privateendpointconnections" || path.types.length > 2) {
    throw unservedType(path.types.join("/"));
  }
  if (connectionName === undefined) {
    requireGet(req.method);
    return pageOf(
      call,
      ctx.store.connectionsOf(provider.id).map((c) => connectionView(c, provider)),
    );
  }
  const connectionId = `${provider.id}/privateEndpointConnections/${connectionName}`;
  switch (req.method) {
    case "GET":
      return getConnection(call, provider, connectionId);
    case "PUT":
      return putConnection(call, provider, connectionId);
    case "DELETE":
      return deleteConnection(call, provider, connectionId);
    default:
      throw methodNotAllowed(req.method);
  }
}
