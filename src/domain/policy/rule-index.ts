import type { EvalContext } from "./rule-matchers";
import { lowerId, lowerSet, normaliseLocation } from "./rule-matchers";
import type { PolicyConditions, StringOrList } from "./policy-document";

// Rules indexed by one condition each that can only hold for requests carrying a certain value (a subscription, a
// resource-id segment, a tag, a location...). A request looks up the keys it carries; a rule filed under none of them
// fails that condition, so it cannot match and is never tried. A key may admit a rule that then fails (it is tried in
// full), never exclude one that holds: every key below is written the way the rule's check compares.

const key = (kind: string, value = "") => `${kind}\u0000${value}`;

/**
 * The keys one of which a request must carry for the rule to hold, or undefined when no condition narrows it.
 * The most selective condition is preferred (a subscription or a resource id before a status).
 */
export function ruleKeys(when: PolicyConditions | undefined): string[] | undefined {
  if (!when) return undefined;
  const r = when.resource;
  const t = when.tenant;
  const keyed = (v: StringOrList | undefined, kind: string, norm = (x: string) => x.trim().toLowerCase()) =>
    v === undefined ? undefined : listOf(v).map((x) => key(kind, norm(x)));
  const candidates: (() => string[] | undefined)[] = [
    () => keyed(when.consumer?.subscription, "sub"),
    () => keyed(when.consumer?.tenant, "ctenant"),
    () => (r?.id === undefined ? undefined : globKeys(r.id)),
    () => (r?.tags === undefined ? undefined : tagKeys(r.tags)),
    () => keyed(r?.type, "type"),
    () => keyed(when.location, "loc", normaliseLocation),
    () => keyed(when.groupId, "group"),
    () => keyed(t?.status, "status", (s) => s),
    // Every tenant condition but `known: false` fails when the tenant is unknown.
    () =>
      t?.known === true || t?.subscriptionAllowed !== undefined || t?.quotaExceeded !== undefined
        ? [key("known")]
        : undefined,
    () => (t?.known === false ? [key("unknown")] : undefined),
  ];
  for (const keysOf of candidates) {
    const keys = keysOf();
    if (keys) return keys;
  }
  return undefined;
}

/** Every key a request carries, built from the same normalised context the checks read. */
export function requestKeys(c: EvalContext): string[] {
  const keys = [key(c.tenant ? "known" : "unknown"), key("type", c.resourceType)];
  if (c.subscription !== undefined) keys.push(key("sub", c.subscription));
  if (c.consumerTenant !== undefined) keys.push(key("ctenant", c.consumerTenant));
  if (c.location !== undefined) keys.push(key("loc", c.location));
  if (c.tenant) keys.push(key("status", c.tenant.status));
  for (const g of c.groupIds) keys.push(key("group", g));
  for (const [k, v] of c.tags) keys.push(key("tagkey", k), key("tag", `${k}\u0000${v}`));
  c.resourceId.split("/").forEach((segment, i) => keys.push(key("seg", `${i}/${segment}`)));
  return keys;
}

const listOf = (v: StringOrList): string[] => (Array.isArray(v) ? v : [v]);

// A glob segment with no wildcard, before the first `**` (which may span segments), sits at a fixed position in
// every id the glob matches; the last such segment is the most telling (a resource group, not "subscriptions").
function globKeys(globs: string | string[]): string[] | undefined {
  const keys: string[] = [];
  for (const glob of listOf(globs)) {
    const segments = lowerId(glob).split("/");
    const spanning = segments.findIndex((s) => s.includes("**"));
    const fixed = spanning === -1 ? segments : segments.slice(0, spanning);
    let at = fixed.length - 1;
    while (at >= 0 && fixed[at]!.includes("*")) at--;
    if (at === -1) return undefined;
    keys.push(key("seg", `${at}/${fixed[at]}`));
  }
  return keys;
}

// The first tag condition: its values, or the tag's presence when any value ("*") will do.
function tagKeys(tags: Record<string, string | string[]>): string[] | undefined {
  const first = Object.entries(tags)[0];
  if (!first) return undefined;
  const k = first[0].toLowerCase();
  const values = lowerSet(first[1]);
  return values.has("*") ? [key("tagkey", k)] : [...values].map((v) => key("tag", `${k}\u0000${v}`));
}

/** Rule positions by key, plus the rules no key narrows; `candidates` lists, in document order, the rules to try. */
export class RuleIndex {
  private readonly byKey = new Map<string, number[]>();
  private readonly always: number[] = [];

  constructor(keysByRule: (string[] | undefined)[]) {
    keysByRule.forEach((keys, i) => {
      if (!keys) return this.always.push(i);
      for (const k of keys) {
        const list = this.byKey.get(k);
        if (!list) this.byKey.set(k, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    });
  }

  candidates(c: EvalContext): number[] {
    const lists = [this.always];
    for (const k of requestKeys(c)) {
      const list = this.byKey.get(k);
      if (list) lists.push(list);
    }
    if (lists.length === 1) return this.always;
    if (lists.length === 2 && this.always.length === 0) return lists[1]!;
    // Several lists: back into document order, each rule once.
    return [...new Set(lists.flat())].sort((a, b) => a - b);
  }
}
