import { ArmError, notFound, requireGet, unservedType } from "../http/arm-error";
import type { SandboxResponse } from "../http/http-types";
import type { ArmCall } from "./arm-handler";
import { idKey, inScope, resourceId } from "./arm-path";
import { networkInterfaceView, privateEndpointView } from "./arm-views";
import { pageOf } from "./paging";

/** Consumer side: private endpoints (GET, list by resource group or subscription) and their NICs (GET). */
export function endpointRoutes(call: ArmCall): SandboxResponse {
  const { ctx, path, req } = call;
  requireGet(req.method);
  const [name] = path.names;
  if (path.types.length !== 1) throw unservedType(path.types.join("/"));
  if (name === undefined) {
    const items = [...ctx.store.endpoints.values()].filter((e) => inScope(path, e));
    return pageOf(call, items.map(privateEndpointView));
  }
  const id = resourceId(path.subscriptionId, path.resourceGroup ?? "", "Microsoft.Network/privateEndpoints", name);
  const endpoint = ctx.store.endpoints.get(idKey(id));
  if (!endpoint) throw notFound("Microsoft.Network/privateEndpoints", name, path.resourceGroup);
  return { status: 200, json: privateEndpointView(endpoint) };
}

export function networkInterfaceRoutes(call: ArmCall): SandboxResponse {
  const { ctx, path, req } = call;
  requireGet(req.method);
  const [name] = path.names;
  if (name === undefined || path.types.length !== 1) {
    throw new ArmError(404, "InvalidResourceType", "Only GET of one network interface is served by the sandbox.");
  }
  const id = resourceId(path.subscriptionId, path.resourceGroup ?? "", "Microsoft.Network/networkInterfaces", name);
  const endpoint = ctx.store.endpointByNic(id);
  if (!endpoint) throw notFound("Microsoft.Network/networkInterfaces", name, path.resourceGroup);
  return { status: 200, json: networkInterfaceView(endpoint) };
}
