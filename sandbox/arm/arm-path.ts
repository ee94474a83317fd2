/** An ARM path taken apart: `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}/{type}/{name}/...]`. */
export interface ArmPath {
  subscriptionId: string;
  resourceGroup?: string;
  namespace?: string;
  /** Type segments after the namespace, e.g. ["privateLinkServices", "privateEndpointConnections"]. */
  types: string[];
  /** Names paired with `types`; one shorter when the path ends on a collection. */
  names: string[];
  /** True when the path ends on a type segment (a list). */
  isCollection: boolean;
  /** Lower-case "ns/type/child" e.g. "microsoft.network/privatelinkservices/privateendpointconnections". */
  typeKey: string;
}

export function parseArmPath(path: string): ArmPath | undefined {
  const seg = path.split("/").filter((s) => s.length > 0);
  if (seg[0]?.toLowerCase() !== "subscriptions" || !seg[1]) return undefined;
  const out: ArmPath = { subscriptionId: seg[1], types: [], names: [], isCollection: false, typeKey: "" };
  let i = 2;
  if (seg[i]?.toLowerCase() === "resourcegroups") {
    if (!seg[i + 1]) return undefined;
    out.resourceGroup = seg[i + 1];
    i += 2;
  }
  if (i >= seg.length) return out;
  if (seg[i]?.toLowerCase() !== "providers") {
    // e.g. /subscriptions/{s}/resourceGroups/{rg}/resources
    out.types = seg.slice(i, i + 1);
    out.isCollection = seg.length === i + 1;
    out.typeKey = (seg[i] ?? "").toLowerCase();
    return seg.length === i + 1 ? out : undefined;
  }
  out.namespace = seg[i + 1];
  if (!out.namespace) return undefined;
  const rest = seg.slice(i + 2);
  for (let k = 0; k < rest.length; k += 2) {
    out.types.push(rest[k]!);
    if (rest[k + 1] !== undefined) out.names.push(rest[k + 1]!);
  }
  out.isCollection = out.types.length > out.names.length;
  out.typeKey = [out.namespace, ...out.types].join("/").toLowerCase();
  return out;
}

/** Case-insensitive key for an ARM id (ARM ids compare case-insensitively; `resourcegroups` vs `resourceGroups`). */
export function idKey(id: string): string {
  return id.replace(/\/+/g, "/").replace(/\/$/, "").toLowerCase();
}

export function resourceId(sub: string, rg: string, type: string, name: string): string {
  const [ns, ...types] = type.split("/");
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}/${types.join("/")}/${name}`;
}

/** Whether a resource lies in the path's subscription and, when the path names one, its resource group. */
export function inScope(path: ArmPath, r: { subscriptionId: string; resourceGroup: string }): boolean {
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  return (
    same(r.subscriptionId, path.subscriptionId) && (!path.resourceGroup || same(r.resourceGroup, path.resourceGroup))
  );
}
