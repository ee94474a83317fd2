import { describe, expect, it } from "vitest";
import type { ConnectionRequest } from "../../../src/domain/connection";
import { compiledRulesOf, evaluatePolicy, parsePolicy, type PolicyConditions } from "../../../src/domain/policy";
import { buildContext } from "../../../src/domain/policy/rule-matchers";
import type { Tenant } from "../../../src/domain/tenant";
import { aRequest, aTenant } from "./request-mother";

// Which rules the index lists for a request, key kind by key kind. The decision itself is checked against the
// rule-after-rule evaluation elsewhere; here a rule the request cannot match must not be listed, and one it could
// match must be, once, in document order.

const NOW = "2026-03-02T09:30:00Z";

/** A policy of these rules, as a document would give them. */
const policyOf = (rules: unknown[]) => parsePolicy(JSON.stringify({ schemaVersion: 1, rules }));

function candidatesOf(when: (PolicyConditions | undefined)[], request: ConnectionRequest, tenant?: Tenant): number[] {
  const rules = when.map((w, i) => ({
    id: `r${i}`,
    ...(w ? { when: w } : {}),
    then: { verdict: "reject", reason: "x" },
  }));
  return compiledRulesOf(policyOf(rules)).index.candidates(buildContext(request, tenant, NOW));
}

const one = (when: PolicyConditions | undefined, request: ConnectionRequest, tenant?: Tenant) =>
  candidatesOf([when], request, tenant);

const PG_ID = "/subscriptions/s-1/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders";

describe("the rule index: which rules a request could match", () => {
  it("lists a rule with no conditions, or with only unkeyed ones, for every request", () => {
    expect(one(undefined, aRequest())).toEqual([0]);
    expect(one({ requestMessage: { matches: "CHG" } }, aRequest())).toEqual([0]);
    expect(one({ resource: { id: "**" } }, aRequest())).toEqual([0]);
  });

  it("files a rule under the consumer subscription, trimmed and lower-cased", () => {
    const when = { consumer: { subscription: [" SUB-A ", "sub-b"] } };
    expect(one(when, aRequest({ consumerSubscriptionId: "sub-a" }))).toEqual([0]);
    expect(one(when, aRequest({ consumerSubscriptionId: "Sub-B" }))).toEqual([0]);
    expect(one(when, aRequest({ consumerSubscriptionId: "sub-c" }))).toEqual([]);
    expect(one(when, aRequest({ consumerSubscriptionId: undefined }))).toEqual([]);
  });

  it("files a rule under the consumer tenant", () => {
    const when = { consumer: { tenant: "T-1" } };
    expect(one(when, aRequest({ consumerTenantId: " t-1" }))).toEqual([0]);
    expect(one(when, aRequest({ consumerTenantId: "t-2" }))).toEqual([]);
    expect(one(when, aRequest({ consumerTenantId: undefined }))).toEqual([]);
  });

  it("prefers the most selective condition: a rule with a subscription is not listed for its location alone", () => {
    const when = { consumer: { subscription: "sub-a" }, location: "westeurope", groupId: "blob" };
    expect(
      one(when, aRequest({ consumerSubscriptionId: "sub-b", location: "westeurope", groupIds: ["blob"] })),
    ).toEqual([]);
    expect(one(when, aRequest({ consumerSubscriptionId: "sub-a", location: "northeurope" }))).toEqual([0]);
    const byTenant = { consumer: { tenant: "t-1" }, resource: { type: "Microsoft.Sql/servers" } };
    expect(one(byTenant, aRequest({ consumerTenantId: "t-2", providerResourceType: "Microsoft.Sql/servers" }))).toEqual(
      [],
    );
  });

  it("files a rule under the resource type, then the location, then the group id", () => {
    const type = { resource: { type: "Microsoft.Sql/Servers" }, location: "westeurope" };
    expect(one(type, aRequest({ providerResourceType: "microsoft.sql/servers", location: "northeurope" }))).toEqual([
      0,
    ]);
    expect(one(type, aRequest({ providerResourceType: "Microsoft.Web/sites", location: "westeurope" }))).toEqual([]);
    const location = { location: "West Europe", groupId: "blob" };
    expect(one(location, aRequest({ location: "westeurope", groupIds: ["file"] }))).toEqual([0]);
    expect(one(location, aRequest({ location: "northeurope", groupIds: ["blob"] }))).toEqual([]);
    expect(one(location, aRequest({ location: undefined, groupIds: ["blob"] }))).toEqual([]);
    const group = { groupId: ["Blob", "file"] };
    expect(one(group, aRequest({ groupIds: ["queue", "FILE"] }))).toEqual([0]);
    expect(one(group, aRequest({ groupIds: ["queue"] }))).toEqual([]);
    expect(one(group, aRequest({ groupIds: [] }))).toEqual([]);
  });

  it("lists a rule once even when two of its keys are the same or the request carries several of them", () => {
    expect(one({ groupId: ["blob", "BLOB", " blob "] }, aRequest({ groupIds: ["blob"] }))).toEqual([0]);
    expect(one({ groupId: ["blob", "file"] }, aRequest({ groupIds: ["blob", "file"] }))).toEqual([0]);
  });

  it("files a rule under the tenant's status, or whether the tenant is known", () => {
    const active = aTenant({ status: "active" });
    const suspended = aTenant({ status: "suspended" });
    expect(one({ tenant: { status: ["active"] } }, aRequest(), active)).toEqual([0]);
    expect(one({ tenant: { status: ["active"] } }, aRequest(), suspended)).toEqual([]);
    expect(one({ tenant: { status: "active" } }, aRequest())).toEqual([]);
    for (const known of [{ known: true }, { subscriptionAllowed: false }, { quotaExceeded: false }]) {
      expect(one({ tenant: known }, aRequest(), active)).toEqual([0]);
      expect(one({ tenant: known }, aRequest())).toEqual([]);
    }
    expect(one({ tenant: { known: false } }, aRequest())).toEqual([0]);
    expect(one({ tenant: { known: false } }, aRequest(), active)).toEqual([]);
  });

  it("files a rule under a tag's values, or the tag's presence when any value will do", () => {
    const values = { resource: { tags: { Env: ["Prod", "test"] } } };
    expect(one(values, aRequest({ providerResourceTags: { env: "PROD" } }))).toEqual([0]);
    expect(one(values, aRequest({ providerResourceTags: { ENV: "test" } }))).toEqual([0]);
    expect(one(values, aRequest({ providerResourceTags: { env: "dev" } }))).toEqual([]);
    expect(one(values, aRequest({ providerResourceTags: { team: "prod" } }))).toEqual([]);
    const any = { resource: { tags: { env: "*" } } };
    expect(one(any, aRequest({ providerResourceTags: { Env: "anything" } }))).toEqual([0]);
    expect(one(any, aRequest({ providerResourceTags: { team: "prod" } }))).toEqual([]);
    expect(one(any, aRequest({ providerResourceTags: undefined }))).toEqual([]);
    // Two kinds of tag rule side by side: each is looked up by its own kind.
    expect(candidatesOf([values, any], aRequest({ providerResourceTags: { env: "prod" } }))).toEqual([0, 1]);
    expect(candidatesOf([values, any], aRequest({ providerResourceTags: { env: "dev" } }))).toEqual([1]);
  });

  it("files a rule under the last fixed segment of its id pattern, before any '**'", () => {
    const byGroup = { resource: { id: "/subscriptions/*/resourceGroups/RG-Data/**" } };
    expect(one(byGroup, aRequest({ providerResourceId: PG_ID }))).toEqual([0]);
    expect(one(byGroup, aRequest({ providerResourceId: PG_ID.replace("rg-data", "rg-other") }))).toEqual([]);
    // A wildcard in the group name: the segment before it ("resourcegroups", position 3) is the key.
    const partial = { resource: { id: "/subscriptions/*/resourceGroups/rg-*/**" } };
    expect(one(partial, aRequest({ providerResourceId: PG_ID }))).toEqual([0]);
    expect(one(partial, aRequest({ providerResourceId: "/subscriptions/s-1/providers/x/y" }))).toEqual([]);
    // Without "**", the last segment is fixed: the server's name, at position 8.
    const byName = { resource: { id: "/subscriptions/*/resourceGroups/*/providers/Microsoft.Sql/servers/db-1" } };
    const sql = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/db-1";
    expect(one(byName, aRequest({ providerResourceId: sql }))).toEqual([0]);
    expect(one(byName, aRequest({ providerResourceId: `${sql}/databases/x` }))).toEqual([0]);
    expect(one(byName, aRequest({ providerResourceId: sql.replace("db-1", "db-2") }))).toEqual([]);
    // Ids too short to have a segment there are not listed, whatever their last segment is.
    for (const short of ["/db-1", "/a/db-1", "/a/b/c/db-1", "/a/b/c/d/e/f/db-1", "db-1", ""]) {
      expect(one(byName, aRequest({ providerResourceId: short }))).toEqual([]);
    }
  });

  it("falls back to the next condition when a tag condition names no tag", () => {
    const when = { resource: { tags: {} }, groupId: "blob" };
    expect(one(when, aRequest({ groupIds: ["blob"] }))).toEqual([0]);
    expect(one(when, aRequest({ groupIds: ["file"] }))).toEqual([]);
  });

  it("looks up no segment an id does not have, even one spelled like a missing value", () => {
    const when = { resource: { id: "/undefined/**" } };
    expect(one(when, aRequest({ providerResourceId: "/undefined/x" }))).toEqual([0]);
    expect(one(when, aRequest({ providerResourceId: "" }))).toEqual([]);
  });

  it("lists a rule with several id patterns under each, and one with an all-wildcard pattern for every request", () => {
    const two = { resource: { id: ["/subscriptions/s-1/**", "/subscriptions/*/resourceGroups/rg-x/**"] } };
    expect(one(two, aRequest({ providerResourceId: PG_ID }))).toEqual([0]);
    expect(one(two, aRequest({ providerResourceId: "/subscriptions/s-2/resourceGroups/rg-x/p" }))).toEqual([0]);
    expect(one(two, aRequest({ providerResourceId: "/subscriptions/s-2/resourceGroups/rg-y/p" }))).toEqual([]);
    const wild = { resource: { id: ["/subscriptions/s-1/**", "/*/*/**"] } };
    expect(one(wild, aRequest({ providerResourceId: "/anything/else" }))).toEqual([0]);
    // Wildcards down to the first segment: nothing is fixed, even in an id without a leading slash.
    expect(one({ resource: { id: "*/*" } }, aRequest({ providerResourceId: "a/b" }))).toEqual([0]);
  });

  it("merges the lists of several keys into document order", () => {
    const rules: PolicyConditions[] = [
      { groupId: "blob" },
      { location: "westeurope" },
      { groupId: "file" },
      { location: "westeurope" },
      { groupId: "blob" },
      { consumer: { subscription: "nobody" } },
      { tenant: { known: false } },
    ];
    expect(candidatesOf(rules, aRequest({ groupIds: ["blob", "file"], location: "westeurope" }))).toEqual([
      0, 1, 2, 3, 4, 6,
    ]);
    expect(candidatesOf(rules, aRequest({ groupIds: ["file"], location: "northeurope" }))).toEqual([2, 6]);
    expect(candidatesOf(rules.slice(0, 5), aRequest({ groupIds: ["file"], location: "northeurope" }))).toEqual([2]);
  });
});

describe("the evaluation context", () => {
  it("mends a doubled or a trailing slash in the resource id on its own", () => {
    const id = (providerResourceId: string) =>
      buildContext(aRequest({ providerResourceId }), undefined, NOW).resourceId;
    expect(id("/Subscriptions/S//resourceGroups/G")).toBe("/subscriptions/s/resourcegroups/g");
    expect(id("/subscriptions/s/resourceGroups/G///")).toBe("/subscriptions/s/resourcegroups/g");
    expect(id(" /subscriptions/S/resourceGroups/G ")).toBe("/subscriptions/s/resourcegroups/g");
  });

  it("reads each evaluation time anew when it changes", () => {
    const at = (now: string) => buildContext(aRequest(), undefined, now).nowMs;
    expect(at("2026-03-02T09:30:00Z")).toBe(Date.UTC(2026, 2, 2, 9, 30));
    expect(at("2026-03-02T09:30:00Z")).toBe(Date.UTC(2026, 2, 2, 9, 30));
    expect(at("2026-03-03T10:00:00Z")).toBe(Date.UTC(2026, 2, 3, 10, 0));
    expect(() => at("yesterday")).toThrow(/"yesterday" is not an ISO-8601 time/);
    expect(at("2026-03-03T10:00:00Z")).toBe(Date.UTC(2026, 2, 3, 10, 0));
  });
});

describe("the trace of a decision", () => {
  const policy = policyOf([
    { id: "blob", when: { groupId: "blob" }, then: { verdict: "reject", reason: "no blob" } },
    { id: "any", then: { verdict: "approve", reason: "fine", validFor: "P30D" } },
  ]);

  it("names a rule without conditions as holding with none, and is the same on every read", () => {
    const d = evaluatePolicy(policy, { request: aRequest({ groupIds: ["file"] }), now: NOW });
    expect(d.ruleId).toBe("any");
    expect(d.validFor).toBe("P30D");
    const first = d.trace;
    expect(first).toEqual([
      { ruleId: "blob", matched: false, detail: "groupId: group ids [file] are not listed" },
      { ruleId: "any", matched: true, detail: "no conditions" },
    ]);
    expect(d.trace).toBe(first);
    expect(Object.keys(d)).toContain("trace");
  });
});

describe("what a decision carries besides the verdict", () => {
  const policy = policyOf([
    { id: "no", when: { groupId: "vault" }, then: { verdict: "reject", reason: "no vaults" } },
    { id: "yes", when: { groupId: "blob" }, then: { verdict: "approve", reason: "blob is fine" } },
    {
      id: "ask",
      when: { groupId: "file" },
      then: { verdict: "review", reason: "ask", validFor: "P7D", review: { includeTenantApprovers: false } },
    },
    {
      id: "ask-tenant",
      when: { groupId: "queue" },
      then: { verdict: "review", reason: "ask", review: { includeTenantApprovers: true } },
    },
  ]);
  const tenant = aTenant({ approvers: ["owner@contoso.example"] });
  const decide = (group: string, withTenant = true) =>
    evaluatePolicy(policy, { request: aRequest({ groupIds: [group] }), now: NOW, ...(withTenant ? { tenant } : {}) });

  it("has no review, pending age or validity on an approval or a rejection that set none", () => {
    for (const group of ["vault", "blob"]) {
      const keys = Object.keys(decide(group));
      expect(keys).not.toContain("review");
      expect(keys).not.toContain("maxPendingAge");
      expect(keys).not.toContain("validFor");
    }
  });

  it("keeps validFor on a review, and asks the tenant's approvers only when the rule says so", () => {
    const ask = decide("file");
    expect(ask.validFor).toBe("P7D");
    expect(ask.review).toEqual({ approvers: [], deadline: "PT48H", reminders: [], onDeadline: "reject" });
    expect(decide("queue").review!.approvers).toEqual(["owner@contoso.example"]);
    expect(decide("queue", false).review!.approvers).toEqual([]);
    expect(Object.keys(decide("queue"))).not.toContain("validFor");
  });
});
