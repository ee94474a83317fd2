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

const listOf = (v: StringOrList): string[] => (Array.isArray(v) ? v : [v]);

// A glob segment with no wildcard, before the first `**` (which may span segments), sits at a fixed position in
// every id the glob matches; the last such segment is the most telling (a resource group, not "subscriptions").
function globKeys(globs: string | string[]): string[] | undefined {
  // Stryker disable next-line ArrayDeclaration: a stray element has no kind separator, so no lookup ever reads it
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

/**
 * Rule positions by key kind and value, plus the rules no key narrows; `candidates` lists, in document order, the rules
 * to try. A request's keys are looked up straight from the same normalised context the checks read, and only for the
 * kinds (and resource-id positions) some rule is filed under.
 */
export class RuleIndex {
  private readonly byKind = new Map<string, Map<string, number[]>>();
  private readonly always: number[] = [];
  private readonly segments: number[];

  constructor(keysByRule: (string[] | undefined)[]) {
    const segments = new Set<number>();
    keysByRule.forEach((keys, i) => {
      if (!keys) return this.always.push(i);
      for (const k of keys) {
        const cut = k.indexOf("\u0000");
        const kind = k.slice(0, cut);
        const value = k.slice(cut + 1);
        // Stryker disable next-line ConditionalExpression: another kind's value adds a position (NaN, or a number before a "/") whose lookups find only rules filed under that very segment
        if (kind === "seg") segments.add(Number(value.slice(0, value.indexOf("/"))));
        let values = this.byKind.get(kind);
        if (!values) this.byKind.set(kind, (values = new Map<string, number[]>()));
        const list = values.get(value);
        if (!list) values.set(value, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    });
    this.segments = [...segments];
  }

  candidates(c: EvalContext): number[] {
    let merged = this.always;
    const add = (kind: string, value: string): void => {
      const list = this.byKind.get(kind)?.get(value);
      // Stryker disable next-line ConditionalExpression: merging into an empty list gives the list itself
      if (list) merged = merged.length === 0 ? list : mergeSorted(merged, list);
    };
    add(c.tenant ? "known" : "unknown", "");
    add("type", c.resourceType);
    // Stryker disable next-line ConditionalExpression: a missing value is looked up as `undefined`, under which no rule is filed
    if (c.subscription !== undefined) add("sub", c.subscription);
    // Stryker disable next-line ConditionalExpression: as above
    if (c.consumerTenant !== undefined) add("ctenant", c.consumerTenant);
    // Stryker disable next-line ConditionalExpression: as above
    if (c.location !== undefined) add("loc", c.location);
    if (c.tenant) add("status", c.tenant.status);
    // Stryker disable next-line ConditionalExpression: the guard only skips lookups of a kind no rule is filed under
    if (this.byKind.has("group")) for (const g of c.groupIds) add("group", g);
    const tagKey = this.byKind.has("tagkey");
    const tagValue = this.byKind.has("tag");
    for (const [k, v] of c.tags) {
      // Stryker disable next-line ConditionalExpression: as for the group ids, the guard only skips empty lookups
      if (tagKey) add("tagkey", k);
      // Stryker disable next-line ConditionalExpression: as above
      if (tagValue) add("tag", `${k}\u0000${v}`);
    }
    for (const at of this.segments) {
      const segment = segmentAt(c.resourceId, at);
      if (segment !== undefined) add("seg", `${at}/${segment}`);
    }
    return merged;
  }
}

/** The id's segment at a position (as `split("/")[at]` gives it), without splitting the whole id. */
function segmentAt(id: string, at: number): string | undefined {
  let start = 0;
  for (let i = 0; i < at; i++) {
    const slash = id.indexOf("/", start);
    if (slash === -1) return undefined;
    start = slash + 1;
  }
  const end = id.indexOf("/", start);
  return id.slice(start, end === -1 ? undefined : end);
}

/** Two ascending lists of rule positions as one, each position once (document order, no sort, no set). */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x <= y) i++;
    if (y <= x) j++;
    out.push(Math.min(x, y));
  }
  return out;
}
