import type { ConnectionRequest } from "../connection";
import { DomainError } from "../errors";
import type { Tenant } from "../tenant";
import type { DayName, PolicyConditions, StringOrList } from "./policy-document";

/** What every condition reads, prepared once per evaluation (lower-cased, bounded). */
export interface EvalContext {
  resourceId: string;
  resourceType: string;
  tags: Map<string, string>;
  groupIds: string[];
  subscription?: string;
  consumerTenant?: string;
  message?: string;
  location?: string;
  tenant?: Tenant;
  nowMs: number;
}

/** Returns undefined when the condition holds, otherwise why it does not. */
export type Check = (ctx: EvalContext) => string | undefined;
export interface NamedCheck {
  name: string;
  test: Check;
}

// Request messages are short in Azure (140 characters); the bound keeps regex work small whatever arrives.
const MAX_MESSAGE_CHARS = 1024;

/** The last evaluation time parsed: a sweep or a burst evaluates many requests at one `now`. */
let lastNow = { text: "", ms: Number.NaN };

export function buildContext(request: ConnectionRequest, tenant: Tenant | undefined, now: string): EvalContext {
  if (lastNow.text !== now) lastNow = { text: now, ms: Date.parse(now) };
  const nowMs = lastNow.ms;
  if (Number.isNaN(nowMs)) {
    throw new DomainError(
      "NOW_INVALID",
      `"${now}" is not an ISO-8601 time; pass the evaluation time like 2026-01-31T12:00:00Z.`,
    );
  }
  const tags = new Map<string, string>();
  for (const [k, v] of Object.entries(request.providerResourceTags ?? {})) {
    if (typeof v === "string") tags.set(k.toLowerCase(), v.toLowerCase());
  }
  return {
    resourceId: lowerId(request.providerResourceId),
    resourceType: (request.providerResourceType ?? "").toLowerCase(),
    tags,
    groupIds: (request.groupIds ?? []).map((g) => String(g).toLowerCase()),
    subscription: request.consumerSubscriptionId?.trim().toLowerCase(),
    consumerTenant: request.consumerTenantId?.trim().toLowerCase(),
    message: request.requestMessage?.slice(0, MAX_MESSAGE_CHARS),
    location: request.location === undefined ? undefined : normaliseLocation(request.location),
    tenant,
    nowMs,
  };
}

// Same form as normaliseArmId, but total: a dry run may carry a partial request with no resource id at all.
export function lowerId(id: string | undefined): string {
  const lower = (id ?? "").trim().toLowerCase();
  // The regexes only when there is something to mend: ids from ARM nearly never have doubled or trailing slashes.
  if (!lower.includes("//") && !lower.endsWith("/")) return lower;
  return lower.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
}

export const normaliseLocation = (l: string) => l.toLowerCase().replace(/\s+/g, "");
const list = (v: StringOrList) => (Array.isArray(v) ? v : [v]);
export const lowerSet = (v: StringOrList) => new Set(list(v).map((s) => s.trim().toLowerCase()));
const show = (s: string | undefined) => (s === undefined ? "(none)" : `"${s}"`);

/** Compiles one rule's `when` into checks; `at` is the rule's path for error messages. Throws on bad input. */
export function compileConditions(when: PolicyConditions | undefined, at: string, problems: string[]): NamedCheck[] {
  const checks: NamedCheck[] = [];
  if (!when) return checks;
  const add = (name: string, test: Check) => checks.push({ name, test });
  const r = when.resource;
  if (r?.id !== undefined) {
    const globs = list(r.id).map((g, i) => globToRegex(g, `${at}/resource/id/${i}`, problems));
    add("resource.id", (c) =>
      globs.some((g) => g.test(c.resourceId)) ? undefined : `resource ${c.resourceId} matches no id pattern`,
    );
  }
  if (r?.type !== undefined) {
    const types = lowerSet(r.type);
    add("resource.type", (c) =>
      types.has(c.resourceType) ? undefined : `resource type ${show(c.resourceType)} is not listed`,
    );
  }
  if (r?.tags !== undefined) {
    const wanted = Object.entries(r.tags).map(([k, v]) => [k.toLowerCase(), lowerSet(v)] as const);
    add("resource.tags", (c) => {
      for (const [k, values] of wanted) {
        const actual = c.tags.get(k);
        if (actual === undefined) return `tag ${k} is missing`;
        if (!values.has("*") && !values.has(actual)) return `tag ${k} is "${actual}"`;
      }
      return undefined;
    });
  }
  if (when.groupId !== undefined) {
    const groups = lowerSet(when.groupId);
    add("groupId", (c) =>
      c.groupIds.some((g) => groups.has(g)) ? undefined : `group ids [${c.groupIds.join(", ")}] are not listed`,
    );
  }
  if (when.consumer?.subscription !== undefined) {
    const subs = lowerSet(when.consumer.subscription);
    add("consumer.subscription", (c) =>
      c.subscription !== undefined && subs.has(c.subscription)
        ? undefined
        : `consumer subscription ${show(c.subscription)} is not listed`,
    );
  }
  if (when.consumer?.tenant !== undefined) {
    const tenants = lowerSet(when.consumer.tenant);
    add("consumer.tenant", (c) =>
      c.consumerTenant !== undefined && tenants.has(c.consumerTenant)
        ? undefined
        : `consumer tenant ${show(c.consumerTenant)} is not listed`,
    );
  }
  compileTenant(when.tenant, add);
  if (when.requestMessage !== undefined) compileMessage(when.requestMessage, `${at}/requestMessage`, problems, add);
  if (when.location !== undefined) {
    const locations = new Set(list(when.location).map(normaliseLocation));
    add("location", (c) =>
      c.location !== undefined && locations.has(c.location) ? undefined : `location ${show(c.location)} is not listed`,
    );
  }
  if (when.timeWindow !== undefined)
    add("timeWindow", compileTimeWindow(when.timeWindow, `${at}/timeWindow`, problems));
  return checks;
}

function compileTenant(t: PolicyConditions["tenant"], add: (name: string, test: Check) => void): void {
  if (!t) return;
  if (t.known !== undefined) {
    const known = t.known;
    add("tenant.known", (c) =>
      (c.tenant !== undefined) === known ? undefined : known ? "the tenant is unknown" : "the tenant is known",
    );
  }
  if (t.status !== undefined) {
    const statuses = new Set<string>(Array.isArray(t.status) ? t.status : [t.status]);
    add("tenant.status", (c) =>
      c.tenant === undefined
        ? "the tenant is unknown"
        : statuses.has(c.tenant.status)
          ? undefined
          : `tenant status is ${c.tenant.status}`,
    );
  }
  if (t.subscriptionAllowed !== undefined) {
    const want = t.subscriptionAllowed;
    add("tenant.subscriptionAllowed", (c) => {
      if (c.tenant === undefined) return "the tenant is unknown";
      const sub = c.subscription;
      const allowed = sub !== undefined && c.tenant.subscriptions.some((s) => s.toLowerCase() === sub);
      return allowed === want
        ? undefined
        : allowed
          ? "the subscription is registered"
          : `subscription ${show(sub)} is not registered for the tenant`;
    });
  }
  if (t.quotaExceeded !== undefined) {
    const want = t.quotaExceeded;
    add("tenant.quotaExceeded", (c) => {
      if (c.tenant === undefined) return "the tenant is unknown";
      const { quota, usage } = c.tenant;
      const exceeded = quota !== undefined && usage >= quota;
      const state = quota === undefined ? "no quota" : `usage ${usage} of quota ${quota}`;
      return exceeded === want ? undefined : `${state}: quota ${exceeded ? "is" : "is not"} exhausted`;
    });
  }
}

function compileMessage(
  m: NonNullable<PolicyConditions["requestMessage"]>,
  at: string,
  problems: string[],
  add: (name: string, test: Check) => void,
): void {
  const flags = m.ignoreCase ? "i" : "";
  if (m.matches !== undefined) {
    const re = safeRegex(m.matches, flags, `${at}/matches`, problems);
    add("requestMessage.matches", (c) =>
      c.message !== undefined && re.test(c.message) ? undefined : `the request message has no match for /${m.matches}/`,
    );
  }
  if (m.notMatches !== undefined) {
    const re = safeRegex(m.notMatches, flags, `${at}/notMatches`, problems);
    add("requestMessage.notMatches", (c) =>
      c.message === undefined || !re.test(c.message) ? undefined : `the request message matches /${m.notMatches}/`,
    );
  }
}

export const MAX_REGEX_LENGTH = 256;
const NEVER = /$^/;
// Nested quantifiers like (a+)+ or (a*)* backtrack exponentially; back-references defeat linear engines.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;
const BACKREFERENCE = /\\[1-9]|\\k</;

function safeRegex(pattern: string, flags: string, at: string, problems: string[]): RegExp {
  if (pattern.length > MAX_REGEX_LENGTH) {
    problems.push(`${at}: the pattern is longer than ${MAX_REGEX_LENGTH} characters; shorten it.`);
    return NEVER;
  }
  if (NESTED_QUANTIFIER.test(pattern) || BACKREFERENCE.test(pattern)) {
    problems.push(
      `${at}: the pattern uses nested quantifiers or back-references, which can run for ever; simplify it.`,
    );
    return NEVER;
  }
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    problems.push(`${at}: not a valid regular expression (${(e as Error).message}).`);
    return NEVER;
  }
}

const MAX_GLOB_WILDCARDS = 8;

function globToRegex(glob: string, at: string, problems: string[]): RegExp {
  const g = lowerId(glob);
  if ((g.match(/\*+/g) ?? []).length > MAX_GLOB_WILDCARDS) {
    problems.push(`${at}: more than ${MAX_GLOB_WILDCARDS} wildcards; use fewer.`);
    return NEVER;
  }
  const body = g
    .split(/(\*\*|\*)/)
    .map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

const DAYS: DayName[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTES_PER_DAY = 24 * 60;

function compileTimeWindow(w: NonNullable<PolicyConditions["timeWindow"]>, at: string, problems: string[]): Check {
  const offset = offsetMinutes(w.utcOffset ?? "UTC");
  const days = w.days ? new Set<string>(w.days) : undefined;
  const from = w.from === undefined ? 0 : clockMinutes(w.from);
  const to = w.to === undefined ? MINUTES_PER_DAY : clockMinutes(w.to);
  if (from === to) problems.push(`${at}: "from" and "to" are equal, so the window is empty; widen it or remove it.`);
  const label = `${w.days?.join(",") ?? "every day"} ${w.from ?? "00:00"}-${w.to ?? "24:00"} ${w.utcOffset ?? "UTC"}`;
  return (c) => {
    const local = c.nowMs + offset * 60_000;
    const minutes = Math.floor(local / 60_000);
    const minuteOfDay = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    const inHours = from <= to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
    // For a window across midnight, the early-morning part belongs to the previous day's window.
    const dayStart = from > to && minuteOfDay < to ? local - MINUTES_PER_DAY * 60_000 : local;
    const day = DAYS[new Date(dayStart).getUTCDay()]!;
    const inDays = days === undefined || days.has(day);
    return inHours && inDays ? undefined : `the time is outside ${label}`;
  };
}

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}

/** "UTC", "Z", "+02:00", "UTC-0530", "UTC+2" → minutes east of UTC. */
function offsetMinutes(text: string): number {
  const m = /^(?:UTC)?([+-])(\d{2})(?::?(\d{2}))?$/.exec(text);
  if (!m) return 0;
  const sign = m[1] === "-" ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}
