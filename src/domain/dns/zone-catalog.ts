import { DomainError } from "../errors";
import catalog from "./zone-catalog.json";

/** One row of the private DNS zone table. */
export interface ZoneCatalogEntry {
  resourceType: string;
  /** Further resource types the same row covers (e.g. MySQL single and flexible servers). */
  alsoResourceTypes?: string[];
  groupIds: string[];
  /** Zone names, possibly with {regionName}, {dnsPrefix}, {partitionId}, {regionCode} placeholders. */
  zones: string[];
  /** When the row's group ids map to different zones: group id → its zones. */
  groupZones?: Record<string, string[]>;
  /** Public DNS suffixes whose names live in this row's zones although the zone is not privatelink.<suffix>. */
  publicSuffixes?: string[];
  note?: string;
}

export const ZONE_CATALOG: readonly ZoneCatalogEntry[] = catalog.entries as ZoneCatalogEntry[];

const byType = new Map<string, ZoneCatalogEntry[]>();
for (const entry of ZONE_CATALOG) {
  for (const t of [entry.resourceType, ...(entry.alsoResourceTypes ?? [])]) {
    const key = t.toLowerCase();
    byType.set(key, [...(byType.get(key) ?? []), entry]);
  }
}

/** Zone templates (placeholders intact) for a resource type and group id; case-insensitive; [] when unknown. */
export function zoneTemplatesFor(resourceType: string, groupId: string): string[] {
  const group = groupId.toLowerCase();
  const out: string[] = [];
  for (const entry of byType.get(resourceType.toLowerCase()) ?? []) {
    const g = entry.groupIds.find((x) => x.toLowerCase() === group);
    if (g === undefined) continue;
    out.push(...(entry.groupZones?.[g] ?? entry.zones));
  }
  return [...new Set(out)];
}

const suffixesByZone = new Map<string, string[]>();
for (const entry of ZONE_CATALOG) {
  for (const zone of entry.zones) {
    if (entry.publicSuffixes) suffixesByZone.set(zone.toLowerCase(), entry.publicSuffixes);
  }
}

/** The public suffixes (e.g. vault.azure.net) that map into a zone whose name does not follow privatelink.<suffix>. */
export function publicSuffixesFor(zoneTemplate: string): readonly string[] {
  return suffixesByZone.get(zoneTemplate.toLowerCase()) ?? [];
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Fills {name} placeholders from vars; undefined when one has no value. */
export function fillTemplate(template: string, vars: Record<string, string>): string | undefined {
  let missing = false;
  const filled = template.replace(PLACEHOLDER, (_, name: string) => {
    const v = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
    if (v === undefined || v === "") missing = true;
    return (v ?? "").toLowerCase();
  });
  return missing ? undefined : filled;
}

/**
 * The private DNS zones for a resource type and group id, placeholders filled from vars (regionName, dnsPrefix, ...).
 * Zones whose placeholders have no value are left out; if that leaves none, throws ZONE_VARIABLE_MISSING.
 */
export function zonesFor(resourceType: string, groupId: string, vars: Record<string, string> = {}): string[] {
  const templates = zoneTemplatesFor(resourceType, groupId);
  const zones = templates.map((t) => fillTemplate(t, vars)).filter((z): z is string => z !== undefined);
  if (templates.length > 0 && zones.length === 0) {
    const names = [...new Set(templates.flatMap((t) => [...t.matchAll(PLACEHOLDER)].map((m) => m[1])))];
    throw new DomainError(
      "ZONE_VARIABLE_MISSING",
      `The zone for ${resourceType} / ${groupId} needs ${names.map((n) => `{${n}}`).join(", ")}; pass it in vars.`,
    );
  }
  return [...new Set(zones)];
}
