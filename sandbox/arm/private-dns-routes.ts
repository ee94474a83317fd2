import { ArmError, badRequest, methodNotAllowed, notFound, requireGet } from "../http/arm-error";
import { parseJsonObject } from "../http/body-reader";
import type { SandboxResponse } from "../http/http-types";
import { newEtag } from "../estate/estate-store";
import type { ArmCall } from "./arm-handler";
import { idKey, resourceId } from "./arm-path";
import { recordSetView } from "./arm-views";
import { pageOf } from "./paging";

const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT"];
const DNS_PAGING = { pageSize: 100, honourTop: true };

/** Private DNS zones (GET, list) and their record sets (GET/PUT/PATCH/DELETE/list) with ETag preconditions. */
export function privateDnsRoutes(call: ArmCall): SandboxResponse {
  const { ctx, path, req } = call;
  const [zoneName, recordName] = path.names;
  if (zoneName === undefined) {
    requireGet(req.method);
    const zones = [...ctx.store.zones.values()].filter((z) => idKey(z.id).startsWith(idKey(scopeOf(call))));
    return pageOf(
      call,
      zones.map((z) => zoneView(call, z)),
      DNS_PAGING,
    );
  }
  const zoneId = resourceId(
    path.subscriptionId,
    path.resourceGroup ?? "",
    "Microsoft.Network/privateDnsZones",
    zoneName,
  );
  const zone = ctx.store.zones.get(idKey(zoneId));
  if (!zone) throw notFound("Microsoft.Network/privateDnsZones", zoneName, path.resourceGroup);
  if (path.types.length === 1) {
    requireGet(req.method);
    return { status: 200, json: zoneView(call, zone) };
  }
  const recordType = (path.types[1] ?? "").toUpperCase();
  if (path.types.length > 2 || (recordType !== "ALL" && !RECORD_TYPES.includes(recordType))) {
    throw new ArmError(
      404,
      "InvalidResourceType",
      `The record type '${path.types[1]}' is not a Private DNS record type.`,
    );
  }
  if (recordName === undefined) {
    requireGet(req.method);
    const records = [...ctx.store.recordSets.values()]
      .filter(
        (r) => idKey(r.id).startsWith(`${idKey(zone.id)}/`) && (recordType === "ALL" || r.recordType === recordType),
      )
      .sort((a, b) => a.name.localeCompare(b.name) || a.recordType.localeCompare(b.recordType));
    return pageOf(call, records.map(recordSetView), DNS_PAGING);
  }
  if (recordType === "ALL") throw badRequest("InvalidRecordType", "Use a concrete record type such as A, not ALL.");
  const id = `${zone.id}/${recordType}/${recordName}`;
  const existing = ctx.store.recordSets.get(idKey(id));
  checkPreconditions(req.headers["if-match"], req.headers["if-none-match"], existing?.etag);
  const recordMissing = (): Error =>
    notFound(`Microsoft.Network/privateDnsZones/${recordType}`, `${zoneName}/${recordName}`, path.resourceGroup);
  switch (req.method) {
    case "GET":
      if (!existing) throw recordMissing();
      return { status: 200, json: recordSetView(existing) };
    case "DELETE":
      if (!existing) return { status: 204 };
      ctx.store.recordSets.delete(idKey(id));
      return { status: 200 };
    case "PUT":
    case "PATCH": {
      if (req.method === "PATCH" && !existing) throw recordMissing();
      const props = recordProperties(req.body, recordType);
      const merged = req.method === "PATCH" ? { ...existing!.properties, ...props } : props;
      const record = { id, zone: zone.name, recordType, name: recordName, etag: newEtag(), properties: merged };
      ctx.store.recordSets.set(idKey(id), record);
      return { status: existing ? 200 : 201, json: recordSetView(record) };
    }
    default:
      throw methodNotAllowed(req.method);
  }
}

function scopeOf(call: ArmCall): string {
  const { subscriptionId, resourceGroup } = call.path;
  return resourceGroup
    ? `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/`
    : `/subscriptions/${subscriptionId}/`;
}

function zoneView(call: ArmCall, zone: { id: string; name: string; etag: string }): Record<string, unknown> {
  const count = [...call.ctx.store.recordSets.values()].filter((r) =>
    idKey(r.id).startsWith(`${idKey(zone.id)}/`),
  ).length;
  return {
    id: zone.id,
    name: zone.name,
    type: "Microsoft.Network/privateDnsZones",
    location: "global",
    etag: zone.etag,
    properties: { provisioningState: "Succeeded", numberOfRecordSets: count, maxNumberOfRecordSets: 25000 },
  };
}

/** ETag preconditions as Private DNS applies them: If-Match (an etag or *) and If-None-Match: *. */
function checkPreconditions(
  ifMatch: string | string[] | undefined,
  ifNoneMatch: string | string[] | undefined,
  etag?: string,
): void {
  const unquote = (v: string): string => v.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
  if (typeof ifNoneMatch === "string" && ifNoneMatch.trim() === "*" && etag !== undefined) {
    throw new ArmError(
      412,
      "PreconditionFailed",
      "The record set already exists (If-None-Match: *); read it and update with If-Match instead.",
    );
  }
  if (typeof ifMatch === "string" && ifMatch.trim() !== "") {
    const wanted = unquote(ifMatch);
    if (etag === undefined || (wanted !== "*" && wanted !== etag)) {
      throw new ArmError(
        412,
        "PreconditionFailed",
        "The record set changed since it was read (If-Match does not match its ETag); read it again and retry.",
      );
    }
  }
}

function recordProperties(body: string, recordType: string): Record<string, unknown> {
  const json = parseJsonObject(body);
  const props = (json.properties ?? {}) as Record<string, unknown>;
  if (typeof props !== "object" || Array.isArray(props))
    throw badRequest("InvalidRequestContent", "properties must be an object.");
  const ttl = props.ttl ?? 3600;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647) {
    throw badRequest("InvalidTtl", "properties.ttl must be a whole number of seconds.");
  }
  if (
    props.metadata !== undefined &&
    (typeof props.metadata !== "object" || props.metadata === null || Array.isArray(props.metadata))
  ) {
    throw badRequest("InvalidMetadata", "properties.metadata must be an object of string values.");
  }
  if (recordType === "A") {
    const a = props.aRecords ?? [];
    if (!Array.isArray(a) || !a.every((r) => isIpv4((r as { ipv4Address?: unknown })?.ipv4Address))) {
      throw badRequest("InvalidARecord", 'properties.aRecords must be a list of { ipv4Address: "10.0.0.4" }.');
    }
  }
  const out: Record<string, unknown> = { ...props, ttl };
  delete out.fqdn;
  delete out.isAutoRegistered;
  return out;
}

function isIpv4(v: unknown): boolean {
  return typeof v === "string" && /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v);
}
