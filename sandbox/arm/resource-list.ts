import { badRequest, requireGet } from "../http/arm-error";
import type { SandboxResponse } from "../http/http-types";
import type { ArmCall } from "./arm-handler";
import { inScope, parseArmPath } from "./arm-path";
import { pageOf } from "./paging";

/** One item of a generic resource list: resources.json's GenericResourceExpanded, as ARM lists it. */
interface ListedResource {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
}

/**
 * `Resources_ListByResourceGroup` (`GET /subscriptions/{s}/resourceGroups/{rg}/resources`) and `Resources_List`
 * (`GET /subscriptions/{s}/resources`), resources.json 2025-04-01: every resource of the scope, not only the ones the
 * app manages (private endpoints, their NICs and the private DNS zones too, as ARM lists them), a page at a time with
 * nextLink. Of `$filter` only `resourceType eq '<type>'` is served.
 */
export function resourceList(call: ArmCall): SandboxResponse {
  const { ctx, path, req } = call;
  requireGet(req.method);
  const filter = req.url.searchParams.get("$filter");
  const typeFilter = filter ? /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(filter)?.[1]?.toLowerCase() : undefined;
  if (filter && !typeFilter) {
    throw badRequest(
      "InvalidFilterInQueryString",
      "Only $filter=resourceType eq '<type>' is supported by the sandbox.",
    );
  }
  const { store } = ctx;
  const everything: (ListedResource & { subscriptionId: string; resourceGroup: string })[] = [
    ...[...store.providers.values()].map((r) => ({
      id: r.id,
      name: r.name,
      type: r.family.type,
      location: r.location,
      tags: r.tags,
      subscriptionId: r.subscriptionId,
      resourceGroup: r.resourceGroup,
    })),
    ...[...store.endpoints.values()].flatMap((e) => [
      {
        id: e.id,
        name: e.name,
        type: "Microsoft.Network/privateEndpoints",
        location: e.location,
        subscriptionId: e.subscriptionId,
        resourceGroup: e.resourceGroup,
      },
      {
        id: e.nicId,
        name: e.nicName,
        type: "Microsoft.Network/networkInterfaces",
        location: e.location,
        subscriptionId: e.subscriptionId,
        resourceGroup: e.resourceGroup,
      },
    ]),
    ...[...store.zones.values()].map((z) => {
      const at = parseArmPath(z.id)!;
      return {
        id: z.id,
        name: z.name,
        type: "Microsoft.Network/privateDnsZones",
        location: "global",
        subscriptionId: at.subscriptionId,
        resourceGroup: at.resourceGroup ?? "",
      };
    }),
  ];
  const items: ListedResource[] = everything
    .filter((r) => inScope(path, r) && (!typeFilter || r.type.toLowerCase() === typeFilter))
    .map(({ subscriptionId: _s, resourceGroup: _g, ...item }) => item);
  return pageOf(call, items);
}
