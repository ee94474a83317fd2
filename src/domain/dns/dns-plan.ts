import { DomainError } from "../errors";
import {
  compareIpv4,
  isIpv4,
  isValidHostLabelSequence,
  isValidRecordName,
  isValidZoneName,
  normaliseDnsName,
} from "./dns-name";
import { fillTemplate, publicSuffixesFor, zoneTemplatesFor } from "./zone-catalog";

/** What the private endpoint reports about its names and addresses. */
export interface EndpointDnsInfo {
  customDnsConfigs?: { fqdn: string; ipAddresses: string[] }[];
  /** From the endpoint NIC's ipConfigurations[].properties.privateLinkConnectionProperties. */
  nicIpConfigurations?: { privateIPAddress: string; fqdns: string[]; groupId?: string; requiredMemberName?: string }[];
}

export interface PlannedDnsRecord {
  zone: string;
  /** Relative record-set name within the zone. */
  name: string;
  fqdn: string;
  ipAddresses: string[];
}

export interface DnsPlanInput {
  providerResourceType: string;
  groupIds: string[];
  location?: string;
  endpoint: EndpointDnsInfo;
  /** For a customer Private Link Service, which has no Microsoft zone: our zone and a name template like "{tenant}.{service}". */
  privateLinkService?: { zone: string; nameTemplate: string; vars: Record<string, string> };
}

export interface DnsPlan {
  records: PlannedDnsRecord[];
  /** FQDNs no zone of the resource's group ids covers (or with no usable address). */
  unmatched: string[];
}

const MAX_ITEMS = 1000;

/** Computes the A records an endpoint needs: deduplicated, IPs merged per name, sorted deterministically. */
export function planDnsRecords(input: DnsPlanInput): DnsPlan {
  if (input.privateLinkService) return planForPrivateLinkService(input.privateLinkService, input.endpoint);
  const pairs = addressPairs(input);
  const records = new Map<string, PlannedDnsRecord>();
  const unmatched = new Set<string>();
  const vars: Record<string, string> = input.location
    ? // Stryker disable next-line MethodExpression,Regex: fillTemplate lower-cases values; /\s/g removes the same spaces
      { regionName: input.location.toLowerCase().replace(/\s+/g, "") }
    : {};
  for (const { fqdn, ip, groupId } of pairs) {
    const groups = groupId ? [groupId] : input.groupIds;
    const templates = [...new Set(groups.flatMap((g) => zoneTemplatesFor(input.providerResourceType, g)))];
    const placed = placeInZone(fqdn, templates, vars);
    if (!placed || !isIpv4(ip)) {
      unmatched.add(fqdn);
      continue;
    }
    addRecord(records, placed.zone, placed.name, fqdn, ip);
  }
  // An fqdn that found a home through one address is not unmatched because another address was unusable.
  const placedFqdns = new Set([...records.values()].map((r) => r.fqdn));
  return { records: sortRecords(records), unmatched: [...unmatched].filter((f) => !placedFqdns.has(f)).sort() };
}

interface AddressPair {
  fqdn: string;
  ip: string;
  groupId?: string;
}

function addressPairs(input: DnsPlanInput): AddressPair[] {
  const pairs: AddressPair[] = [];
  for (const c of (input.endpoint.customDnsConfigs ?? []).slice(0, MAX_ITEMS)) {
    for (const ip of (c.ipAddresses ?? []).slice(0, MAX_ITEMS))
      pairs.push({ fqdn: normaliseDnsName(c.fqdn ?? ""), ip: ip.trim() });
  }
  for (const n of (input.endpoint.nicIpConfigurations ?? []).slice(0, MAX_ITEMS)) {
    for (const f of (n.fqdns ?? []).slice(0, MAX_ITEMS)) {
      pairs.push({
        fqdn: normaliseDnsName(f),
        ip: (n.privateIPAddress ?? "").trim(),
        ...(n.groupId ? { groupId: n.groupId } : {}),
      });
    }
  }
  return pairs.filter((p) => p.fqdn.length > 0);
}

function planForPrivateLinkService(
  pls: NonNullable<DnsPlanInput["privateLinkService"]>,
  endpoint: EndpointDnsInfo,
): DnsPlan {
  const zone = normaliseDnsName(pls.zone);
  if (!isValidZoneName(zone)) {
    throw new DomainError(
      "DNS_ZONE_INVALID",
      `"${pls.zone}" is not a DNS zone name; configure a zone such as privatelink.contoso.example.`,
    );
  }
  const name = fillTemplate(pls.nameTemplate.toLowerCase(), lowerVars(pls.vars));
  if (name === undefined || !isValidHostLabelSequence(name) || name.length + zone.length + 1 > 253) {
    throw new DomainError(
      "DNS_NAME_INVALID",
      `The template "${pls.nameTemplate}" gives "${name ?? "(a missing value)"}", not a DNS name: each label needs 1-63 letters, digits or inner hyphens. Fix the template or the tenant/service names.`,
    );
  }
  // A PLS endpoint's own fqdns (if any) are not ours to publish; its addresses are what the record needs.
  const reported = [
    ...(endpoint.customDnsConfigs ?? []).slice(0, MAX_ITEMS).flatMap((c) => c.ipAddresses ?? []),
    ...(endpoint.nicIpConfigurations ?? []).slice(0, MAX_ITEMS).map((n) => n.privateIPAddress ?? ""),
  ];
  const ips = [...new Set(reported.map((ip) => ip.trim()).filter(isIpv4))].sort(compareIpv4);
  if (ips.length === 0) return { records: [], unmatched: [] };
  return { records: [{ zone, name, fqdn: `${name}.${zone}`, ipAddresses: ips }], unmatched: [] };
}

function lowerVars(vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  // Stryker disable next-line MethodExpression: fillTemplate lower-cases values too
  for (const [k, v] of Object.entries(vars)) if (typeof v === "string") out[k] = v.toLowerCase();
  return out;
}

/** regex captures (name, placeholder values…); zone = prefix + rest with the placeholders filled. */
const matcherCache = new Map<string, { regex: RegExp; prefix: string; rest: string }>();

/** Finds the most specific zone template that covers fqdn, in its public (x.zone) or privatelink (x.privatelink.zone) form. */
function placeInZone(
  fqdn: string,
  templates: string[],
  vars: Record<string, string>,
): { zone: string; name: string } | undefined {
  if (fqdn.length > 253) return undefined;
  let best: { zone: string; name: string } | undefined;
  for (const template of templates) {
    const m = matcherFor(template, vars);
    const hit = m.regex.exec(fqdn);
    if (!hit) continue;
    const name = hit[1]!;
    let i = 2;
    const zone = m.prefix + m.rest.replace(/\{[a-z]+\}/gi, () => hit[i++] ?? "");
    if (!isValidRecordName(name)) continue;
    if (!best || zone.length > best.zone.length) best = { zone, name };
  }
  return best ?? placeByPublicSuffix(fqdn, templates);
}

/** For zones not named privatelink.<public suffix> (Key Vault: vault.azure.net → privatelink.vaultcore.azure.net). */
function placeByPublicSuffix(fqdn: string, templates: string[]): { zone: string; name: string } | undefined {
  for (const template of templates) {
    for (const suffix of publicSuffixesFor(template)) {
      if (!fqdn.endsWith(`.${suffix}`)) continue;
      const name = fqdn.slice(0, -(suffix.length + 1));
      if (isValidRecordName(name)) return { zone: template.toLowerCase(), name };
    }
  }
  return undefined;
}

function matcherFor(template: string, vars: Record<string, string>) {
  const filled = template.replace(
    /\{([A-Za-z]+)\}/g,
    (whole, n: string) => fillTemplate(whole, { [n]: vars[n] ?? "" }) ?? whole,
  );
  const key = filled.toLowerCase();
  let m = matcherCache.get(key);
  // Stryker disable next-line ConditionalExpression: a cache miss only recompiles the same matcher
  if (!m) {
    const dot = key.indexOf(".");
    // "privatelink.x" and "privatelink-global.x" answer for the public name "…x".
    const first = key.startsWith("privatelink") ? key.slice(0, dot) : "";
    const rest = first ? key.slice(dot + 1) : key;
    const pattern = rest
      .split(/(\{[A-Za-z]+\})/)
      .map((part) => (part.startsWith("{") ? "([a-z0-9-]+)" : part.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")))
      .join("");
    const optionalFirst = first ? `(?:${first.replace(/[.-]/g, "\\$&")}\\.)?` : "";
    m = {
      regex: new RegExp(`^(.+?)\\.${optionalFirst}${pattern}$`),
      prefix: first ? `${first}.` : "",
      rest,
    };
    // Keys come from the catalog and the regions seen; the bound only guards against hostile locations.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: clearing the cache changes speed, not results
    if (matcherCache.size >= 1000) matcherCache.clear();
    matcherCache.set(key, m);
  }
  return m;
}

function addRecord(records: Map<string, PlannedDnsRecord>, zone: string, name: string, fqdn: string, ip: string): void {
  const key = `${zone}|${name}`;
  const existing = records.get(key);
  if (!existing) {
    records.set(key, { zone, name, fqdn, ipAddresses: [ip] });
    return;
  }
  if (!existing.ipAddresses.includes(ip)) existing.ipAddresses.push(ip);
  // Stryker disable next-line EqualityOperator: an equal fqdn leaves the record as it is
  if (fqdn < existing.fqdn) existing.fqdn = fqdn;
}

function sortRecords(records: Map<string, PlannedDnsRecord>): PlannedDnsRecord[] {
  return (
    [...records.values()]
      .map((r) => ({ ...r, ipAddresses: [...r.ipAddresses].sort(compareIpv4) }))
      // Stryker disable next-line EqualityOperator: zone|name keys are unique, so no two records compare equal
      .sort((a, b) => (a.zone === b.zone ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.zone < b.zone ? -1 : 1))
  );
}
