import { describe, expect, it } from "vitest";
import type { ConnectionRequest } from "../../../src/domain/connection";
import { evaluatePolicy, parsePolicy, validatePolicyDocument } from "../../../src/domain/policy";
import type { Tenant } from "../../../src/domain/tenant";
import { aRequest, aTenant, CONSUMER_SUB, CONSUMER_TENANT } from "./request-mother";

// Each condition of a rule, judged through the engine: does the one rule match, and if not, what does the trace say
// (operators read it to learn why a request went where it went).

const NOW = "2026-03-02T09:30:00Z"; // Monday 09:30 UTC

interface Case {
  request?: Partial<ConnectionRequest>;
  tenant?: Tenant;
  now?: string;
}

/** "match" when the rule with these conditions matches, else the reason the trace gives. */
function judge(when: object, { request = {}, tenant, now = NOW }: Case = {}): string {
  const policy = parsePolicy(
    JSON.stringify({ schemaVersion: 1, rules: [{ id: "r", when, then: { verdict: "reject", reason: "x" } }] }),
  );
  const decision = evaluatePolicy(policy, { request: aRequest(request), tenant, now });
  return decision.ruleId === "r" ? "match" : decision.trace[0]!.detail;
}

const problemsOf = (when: object) =>
  validatePolicyDocument({ schemaVersion: 1, rules: [{ id: "r", when, then: { verdict: "reject", reason: "x" } }] })
    .errors;

describe("resource conditions", () => {
  const PG = aRequest().providerResourceId;

  it("matches id globs whole: * within one segment, ** across segments, case and slashes ignored", () => {
    expect(judge({ resource: { id: "/subscriptions/*/resourceGroups/RG-DATA/**" } })).toBe("match");
    expect(judge({ resource: { id: `${PG.toUpperCase()}//` } })).toBe("match");
    expect(judge({ resource: { id: ["/nope", `${PG}`] } })).toBe("match");
    expect(judge({ resource: { id: "/subscriptions/*/providers/**" } })).toBe(
      `resource.id: resource ${PG.toLowerCase()} matches no id pattern`,
    );
    // Not a prefix match: the pattern must cover the whole id.
    expect(judge({ resource: { id: "/subscriptions/*/resourceGroups/rg-data" } })).toMatch(/matches no id pattern/);
    expect(judge({ resource: { id: PG.replace("pg-orders", "pg") } })).toMatch(/matches no id pattern/);
    expect(judge({ resource: { id: `x${PG}` } })).toMatch(/matches no id pattern/);
  });

  it("treats glob text as literal text, not as a regular expression", () => {
    const dotted = PG.replace("pg-orders", "pg.orders");
    expect(
      judge({ resource: { id: dotted } }, { request: { providerResourceId: PG.replace("pg-orders", "pgxorders") } }),
    ).toMatch(/matches no id pattern/);
    const bracket = PG.replace("pg-orders", "pg(orders)+");
    expect(judge({ resource: { id: bracket } }, { request: { providerResourceId: bracket } })).toBe("match");
    expect(judge({ resource: { id: "/subscriptions/*/resourceGroups/*/providers/*/*/pg-orders" } })).toBe("match");
    expect(judge({ resource: { id: "/subscriptions/*/resourceGroups/*/pg-orders" } })).toMatch(/matches no id pattern/);
  });

  it("refuses a glob with more than 8 wildcards, and the rule then never matches", () => {
    const nine = `/${Array.from({ length: 9 }, () => "*").join("/")}`;
    expect(problemsOf({ resource: { id: nine } })).toEqual([
      "/rules/0/when/resource/id/0: more than 8 wildcards; use fewer.",
    ]);
    const eight = `/${Array.from({ length: 8 }, () => "*").join("/")}`;
    expect(problemsOf({ resource: { id: ["/x", eight] } })).toEqual([]);
    expect(problemsOf({ resource: { id: ["/x", nine] } })[0]).toMatch(/^\/rules\/0\/when\/resource\/id\/1:/);
  });

  it("matches listed types whatever their case or padding, and says which type it saw", () => {
    expect(judge({ resource: { type: " microsoft.dbforpostgresql/FLEXIBLESERVERS " } })).toBe("match");
    expect(judge({ resource: { type: ["Microsoft.Sql/servers"] } })).toBe(
      'resource.type: resource type "microsoft.dbforpostgresql/flexibleservers" is not listed',
    );
  });

  it("requires every listed tag, with a listed value or any value for *", () => {
    const tags = { Env: "PROD", Owner: "team-a" };
    expect(
      judge({ resource: { tags: { env: ["dev", "prod"], OWNER: "*" } } }, { request: { providerResourceTags: tags } }),
    ).toBe("match");
    expect(judge({ resource: { tags: { env: "dev" } } }, { request: { providerResourceTags: tags } })).toBe(
      'resource.tags: tag env is "prod"',
    );
    expect(judge({ resource: { tags: { env: "prod", cost: "*" } } }, { request: { providerResourceTags: tags } })).toBe(
      "resource.tags: tag cost is missing",
    );
    expect(judge({ resource: { tags: { env: "*" } } })).toBe("resource.tags: tag env is missing");
  });
});

describe("group, consumer and location conditions", () => {
  it("matches when any requested group id is listed", () => {
    expect(judge({ groupId: ["blob", "POSTGRESQLSERVER"] })).toBe("match");
    expect(judge({ groupId: "blob" }, { request: { groupIds: ["Table", "Queue"] } })).toBe(
      "groupId: group ids [table, queue] are not listed",
    );
    expect(judge({ groupId: "blob" }, { request: { groupIds: [] } })).toBe("groupId: group ids [] are not listed");
  });

  it("matches listed consumer subscriptions and tenants, and never an absent one", () => {
    expect(judge({ consumer: { subscription: CONSUMER_SUB.toUpperCase(), tenant: [CONSUMER_TENANT] } })).toBe("match");
    expect(judge({ consumer: { subscription: "other" } })).toBe(
      `consumer.subscription: consumer subscription "${CONSUMER_SUB}" is not listed`,
    );
    expect(judge({ consumer: { subscription: "other" } }, { request: { consumerSubscriptionId: undefined } })).toBe(
      "consumer.subscription: consumer subscription (none) is not listed",
    );
    expect(judge({ consumer: { tenant: "other" } })).toBe(
      `consumer.tenant: consumer tenant "${CONSUMER_TENANT}" is not listed`,
    );
    expect(judge({ consumer: { tenant: "other" } }, { request: { consumerTenantId: undefined } })).toBe(
      "consumer.tenant: consumer tenant (none) is not listed",
    );
  });

  it("matches locations with their spaces and case ignored, and never an absent one", () => {
    expect(judge({ location: ["northeurope", "West Europe"] }, { request: { location: "WestEurope" } })).toBe("match");
    expect(judge({ location: "northeurope" })).toBe('location: location "westeurope" is not listed');
    expect(judge({ location: "westeurope" }, { request: { location: undefined } })).toBe(
      "location: location (none) is not listed",
    );
  });
});

describe("tenant conditions", () => {
  it("tells known from unknown tenants both ways", () => {
    expect(judge({ tenant: { known: true } }, { tenant: aTenant() })).toBe("match");
    expect(judge({ tenant: { known: true } })).toBe("tenant.known: the tenant is unknown");
    expect(judge({ tenant: { known: false } })).toBe("match");
    expect(judge({ tenant: { known: false } }, { tenant: aTenant() })).toBe("tenant.known: the tenant is known");
  });

  it("matches a listed tenant status, and never an unknown tenant", () => {
    expect(judge({ tenant: { status: ["suspended", "active"] } }, { tenant: aTenant() })).toBe("match");
    expect(judge({ tenant: { status: "suspended" } }, { tenant: aTenant() })).toBe(
      "tenant.status: tenant status is active",
    );
    expect(judge({ tenant: { status: "active" } })).toBe("tenant.status: the tenant is unknown");
  });

  it("asks whether the consumer subscription is one of the tenant's, either way", () => {
    const tenant = aTenant({ subscriptions: [CONSUMER_SUB.toUpperCase()] });
    expect(judge({ tenant: { subscriptionAllowed: true } }, { tenant })).toBe("match");
    expect(judge({ tenant: { subscriptionAllowed: false } }, { tenant })).toBe(
      "tenant.subscriptionAllowed: the subscription is registered",
    );
    const other = { consumerSubscriptionId: "b2b2b2b2-0000-4000-8000-00000000c002" };
    expect(judge({ tenant: { subscriptionAllowed: false } }, { tenant, request: other })).toBe("match");
    expect(judge({ tenant: { subscriptionAllowed: true } }, { tenant, request: other })).toBe(
      `tenant.subscriptionAllowed: subscription "${other.consumerSubscriptionId}" is not registered for the tenant`,
    );
    expect(
      judge({ tenant: { subscriptionAllowed: true } }, { tenant, request: { consumerSubscriptionId: undefined } }),
    ).toBe("tenant.subscriptionAllowed: subscription (none) is not registered for the tenant");
    expect(judge({ tenant: { subscriptionAllowed: false } })).toBe("tenant.subscriptionAllowed: the tenant is unknown");
  });

  it("calls a quota exhausted when usage has reached it, and never without a quota", () => {
    const at = (usage: number, quota?: number) => aTenant({ usage, quota });
    expect(judge({ tenant: { quotaExceeded: true } }, { tenant: at(10, 10) })).toBe("match");
    expect(judge({ tenant: { quotaExceeded: true } }, { tenant: at(9, 10) })).toBe(
      "tenant.quotaExceeded: usage 9 of quota 10: quota is not exhausted",
    );
    expect(judge({ tenant: { quotaExceeded: false } }, { tenant: at(11, 10) })).toBe(
      "tenant.quotaExceeded: usage 11 of quota 10: quota is exhausted",
    );
    expect(judge({ tenant: { quotaExceeded: false } }, { tenant: at(50) })).toBe("match");
    expect(judge({ tenant: { quotaExceeded: true } }, { tenant: at(50) })).toBe(
      "tenant.quotaExceeded: no quota: quota is not exhausted",
    );
    expect(judge({ tenant: { quotaExceeded: false } })).toBe("tenant.quotaExceeded: the tenant is unknown");
  });
});

describe("request message conditions", () => {
  it("matches a pattern anywhere in the message, with case only when told to ignore it", () => {
    expect(judge({ requestMessage: { matches: "CHG\\d{3}" } }, { request: { requestMessage: "see CHG123" } })).toBe(
      "match",
    );
    expect(judge({ requestMessage: { matches: "CHG\\d{3}" } }, { request: { requestMessage: "see chg123" } })).toBe(
      "requestMessage.matches: the request message has no match for /CHG\\d{3}/",
    );
    const ignoring = { requestMessage: { matches: "CHG\\d{3}", ignoreCase: true } };
    expect(judge(ignoring, { request: { requestMessage: "see chg123" } })).toBe("match");
    expect(judge({ requestMessage: { matches: ".*" } })).toMatch(/^requestMessage\.matches: /);
  });

  it("holds notMatches when the message is missing or has no match", () => {
    const when = { requestMessage: { notMatches: "test", ignoreCase: true } };
    expect(judge(when)).toBe("match");
    expect(judge(when, { request: { requestMessage: "prod" } })).toBe("match");
    expect(judge(when, { request: { requestMessage: "a TEST one" } })).toBe(
      "requestMessage.notMatches: the request message matches /test/",
    );
  });

  it("refuses patterns that can run for ever, and rules with them never match", () => {
    for (const pattern of ["(a+)+$", "(a*)*", "(x{2,})+", "(a)\\1", "(?<n>a)\\k<n>"]) {
      expect(problemsOf({ requestMessage: { matches: pattern } })).toEqual([
        "/rules/0/when/requestMessage/matches: the pattern uses nested quantifiers or back-references, which can run for ever; simplify it.",
      ]);
    }
    for (const pattern of ["(ab)+", "a+b+", "\\(a+\\)+", "[(]a+[)]"]) {
      expect(problemsOf({ requestMessage: { notMatches: pattern } }), pattern).toEqual([]);
    }
    expect(problemsOf({ requestMessage: { notMatches: "(" } })[0]).toMatch(
      /^\/rules\/0\/when\/requestMessage\/notMatches: not a valid regular expression \(.+\)\.$/,
    );
  });
});

describe("time windows", () => {
  const window = (w: object, now: string) => judge({ timeWindow: w }, { now });

  it("includes the start and excludes the end, in the window's offset", () => {
    const w = { from: "09:00", to: "17:30", utcOffset: "+02:00" };
    expect(window(w, "2026-03-02T07:00:00Z")).toBe("match");
    expect(window(w, "2026-03-02T06:59:59Z")).toBe("timeWindow: the time is outside every day 09:00-17:30 +02:00");
    expect(window(w, "2026-03-02T15:29:00Z")).toBe("match");
    expect(window(w, "2026-03-02T15:30:00Z")).toMatch(/outside/);
  });

  it("reads offsets with and without a colon, minutes, UTC and Z", () => {
    const nineToTen = (utcOffset: string) => ({ from: "09:00", to: "10:00", utcOffset });
    expect(window(nineToTen("UTC-0530"), "2026-03-02T14:30:00Z")).toBe("match");
    expect(window(nineToTen("UTC-0530"), "2026-03-02T14:29:00Z")).toMatch(/outside every day 09:00-10:00 UTC-0530/);
    expect(window(nineToTen("-05:30"), "2026-03-02T15:29:00Z")).toBe("match");
    expect(window(nineToTen("UTC+02"), "2026-03-02T07:00:00Z")).toBe("match");
    expect(window(nineToTen("UTC+02"), "2026-03-02T09:00:00Z")).toMatch(/outside/);
    expect(window(nineToTen("Z"), "2026-03-02T09:00:00Z")).toBe("match");
    expect(window(nineToTen("UTC"), "2026-03-02T10:00:00Z")).toMatch(/outside/);
    expect(window({ from: "09:00", to: "10:00" }, "2026-03-02T09:59:00Z")).toBe("match");
  });

  it("takes the days in the window's offset, and a missing bound as the start or end of the day", () => {
    // Sunday 23:30 UTC is Monday 00:30 at +01:00.
    expect(window({ days: ["mon"], utcOffset: "+01:00" }, "2026-03-01T23:30:00Z")).toBe("match");
    expect(window({ days: ["sun"], utcOffset: "+01:00" }, "2026-03-01T23:30:00Z")).toBe(
      "timeWindow: the time is outside sun 00:00-24:00 +01:00",
    );
    expect(window({ days: ["sat", "sun"] }, "2026-03-01T23:59:00Z")).toBe("match");
    expect(window({ to: "00:30" }, "2026-03-02T00:29:00Z")).toBe("match");
    expect(window({ from: "23:30" }, "2026-03-02T23:30:00Z")).toBe("match");
    expect(window({ from: "23:30" }, "2026-03-02T23:29:00Z")).toMatch(/outside every day 23:30-24:00 UTC/);
  });

  it("gives a window across midnight both its evening and its early morning", () => {
    const w = { days: ["mon"], from: "22:00", to: "02:00" };
    expect(window(w, "2026-03-02T22:00:00Z")).toBe("match");
    expect(window(w, "2026-03-02T21:59:00Z")).toMatch(/outside mon 22:00-02:00 UTC/);
    expect(window(w, "2026-03-03T01:59:00Z")).toBe("match"); // Tuesday early morning: Monday's window
    expect(window(w, "2026-03-03T02:00:00Z")).toMatch(/outside/);
    expect(window(w, "2026-03-02T01:00:00Z")).toMatch(/outside/); // Monday early morning: Sunday's window
  });

  it("counts minutes of the day right before 1970 too", () => {
    expect(window({ from: "23:00", to: "24:00" }, "1969-12-31T23:30:00Z")).toBe("match");
    expect(window({ from: "00:00", to: "01:00" }, "1969-12-31T23:30:00Z")).toMatch(/outside/);
  });
});
