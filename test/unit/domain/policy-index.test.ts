import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConnectionRequest } from "../../../src/domain/connection";
import {
  compiledRulesOf,
  evaluatePolicy,
  evaluatePolicyInOrder,
  parsePolicy,
  type PolicyConditions,
} from "../../../src/domain/policy";
import { buildContext } from "../../../src/domain/policy/rule-matchers";
import type { Tenant } from "../../../src/domain/tenant";
import { aRequest, aTenant } from "./request-mother";

// The indexed engine must decide exactly as the rule-after-rule evaluation does. Values come from small pools, in
// mixed case and with stray spaces, so rules and requests collide often and every normalisation is exercised.

const NOW = "2026-03-02T09:30:00Z";
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const oneOrMore = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));
const casing = (arb: fc.Arbitrary<string>) =>
  fc
    .tuple(arb, pick("same", "upper", "spaced"))
    .map(([s, how]) => (how === "upper" ? s.toUpperCase() : how === "spaced" ? ` ${s} ` : s));

const SUBS = ["sub-a", "sub-b", "sub-c"];
const RGS = ["rg-a", "rg-b"];
const NAMES = ["db-1", "db-2"];
const TYPES = ["Microsoft.Sql/servers", "Microsoft.Storage/storageAccounts"];
const GROUPS = ["sqlServer", "blob", "file"];
const LOCATIONS = ["westeurope", "West Europe", "northeurope"];
const TENANTS = ["t-1", "t-2"];
const STATUSES = ["active", "suspended", "offboarded"] as const;

const segment = (values: string[]) => fc.oneof(pick(...values), pick("*", "**", "rg-*", "*-1"));
const glob = fc
  .tuple(segment(SUBS), segment(RGS), segment(NAMES), pick("", "/", "//"))
  .map(([s, rg, n, tail]) => `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.Sql/servers/${n}${tail}`);
const anyGlob = fc.oneof(glob, pick("**", "/subscriptions/**", "**/servers/db-1", "/SUBSCRIPTIONS/sub-a/**"));

const status = fc.oneof(pick(...STATUSES), fc.uniqueArray(pick(...STATUSES), { minLength: 1 }));
// One condition each; a rule takes up to three, so rules match often enough for the first match to vary.
const oneCondition: fc.Arbitrary<PolicyConditions> = fc.oneof(
  oneOrMore(anyGlob).map((id) => ({ resource: { id } })),
  oneOrMore(casing(pick(...TYPES))).map((type) => ({ resource: { type } })),
  fc
    .dictionary(pick("env", "Env", "team"), oneOrMore(casing(pick("prod", "test", "*"))), { minKeys: 1, maxKeys: 2 })
    .map((tags) => ({ resource: { tags } })),
  oneOrMore(casing(pick(...GROUPS))).map((groupId) => ({ groupId })),
  oneOrMore(casing(pick(...SUBS))).map((subscription) => ({ consumer: { subscription } })),
  oneOrMore(casing(pick(...TENANTS))).map((tenant) => ({ consumer: { tenant } })),
  fc.boolean().map((known) => ({ tenant: { known } })),
  status.map((s) => ({ tenant: { status: s } })),
  fc.boolean().map((subscriptionAllowed) => ({ tenant: { subscriptionAllowed } })),
  fc.boolean().map((quotaExceeded) => ({ tenant: { quotaExceeded } })),
  fc
    .record({ matches: pick("^CHG\\d+", "ticket"), ignoreCase: fc.boolean() }, { requiredKeys: ["matches"] })
    .map((requestMessage) => ({ requestMessage })),
  pick("test").map((notMatches) => ({ requestMessage: { notMatches } })),
  oneOrMore(pick(...LOCATIONS)).map((location) => ({ location })),
  pick("08:00", "22:00").map((from) => ({ timeWindow: { days: ["mon" as const], from, to: "18:00" } })),
);
const conditions = fc
  .array(oneCondition, { maxLength: 3 })
  .map((parts) => Object.assign({}, ...parts) as PolicyConditions);

const policyText = fc.array(fc.tuple(conditions, pick("approve", "reject", "review")), { maxLength: 25 }).map((rules) =>
  JSON.stringify({
    schemaVersion: 1,
    rules: rules.map(([when, verdict], i) => ({ id: `r${i}`, when, then: { verdict, reason: `rule ${i}` } })),
    default: { verdict: "review", reason: "d" },
  }),
);

const request: fc.Arbitrary<ConnectionRequest> = fc
  .record({
    sub: pick(...SUBS),
    rg: casing(pick(...RGS)),
    name: pick(...NAMES),
    type: casing(pick(...TYPES)),
    tags: fc.dictionary(pick("env", "ENV", "team"), casing(pick("prod", "test", "other")), { maxKeys: 2 }),
    groupIds: fc.array(casing(pick(...GROUPS)), { maxLength: 2 }),
    consumerSub: fc.option(casing(pick(...SUBS)), { nil: undefined }),
    consumerTenant: fc.option(pick(...TENANTS), { nil: undefined }),
    message: fc.option(pick("CHG123", "a ticket", "test only", ""), { nil: undefined }),
    location: fc.option(pick(...LOCATIONS), { nil: undefined }),
    trailing: pick("", "/", "/databases/db-1"),
  })
  .map((r) =>
    aRequest({
      providerResourceId: `/subscriptions/${r.sub}/resourceGroups/${r.rg}/providers/Microsoft.Sql/servers/${r.name}${r.trailing}`,
      providerResourceType: r.type,
      providerResourceTags: r.tags,
      groupIds: r.groupIds,
      consumerSubscriptionId: r.consumerSub,
      consumerTenantId: r.consumerTenant,
      requestMessage: r.message,
      location: r.location,
    }),
  );

const tenant: fc.Arbitrary<Tenant | undefined> = fc.option(
  fc
    .record({ status: pick(...STATUSES), subs: fc.subarray(SUBS), quota: fc.option(pick(1, 5)), usage: pick(0, 3, 5) })
    .map((t) =>
      aTenant({
        status: t.status,
        subscriptions: t.subs,
        usage: t.usage,
        ...(t.quota === null ? {} : { quota: t.quota }),
      }),
    ),
  { nil: undefined },
);

describe("the indexed policy engine", () => {
  it("decides every request exactly as the first-match evaluation over all rules, trace included", () => {
    const decidedBy = new Set<string>();
    fc.assert(
      fc.property(policyText, fc.array(fc.tuple(request, tenant), { minLength: 1, maxLength: 10 }), (text, inputs) => {
        const policy = parsePolicy(text);
        for (const [req, ten] of inputs) {
          const input = { request: req, now: NOW, ...(ten ? { tenant: ten } : {}) };
          const indexed = evaluatePolicy(policy, input);
          const reference = evaluatePolicyInOrder(policy, input);
          expect({ rule: indexed.ruleId, verdict: indexed.verdict }).toEqual({
            rule: reference.ruleId,
            verdict: reference.verdict,
          });
          expect(JSON.parse(JSON.stringify(indexed))).toEqual(JSON.parse(JSON.stringify(reference)));
          decidedBy.add(reference.ruleId);
        }
      }),
      { numRuns: 400, seed: 15 },
    );
    // The run is only worth something if rules at many positions decided, not just the default.
    expect(decidedBy.size).toBeGreaterThan(5);
  });

  it("tries only the rules a request could match: of 1,000 rules keyed on other subscriptions, none", () => {
    const rules = Array.from({ length: 1000 }, (_, i) => ({
      id: `r${i}`,
      when: { consumer: { subscription: `other-${i}` } },
      then: { verdict: "reject", reason: "x" },
    }));
    rules.push({
      id: "mine",
      when: { consumer: { subscription: "SUB-A" } },
      then: { verdict: "approve", reason: "y" },
    });
    const policy = parsePolicy(JSON.stringify({ schemaVersion: 1, rules }));
    const ctx = buildContext(aRequest({ consumerSubscriptionId: "sub-a" }), undefined, NOW);
    expect(compiledRulesOf(policy).index.candidates(ctx)).toEqual([1000]);
    const decision = evaluatePolicy(policy, { request: aRequest({ consumerSubscriptionId: "sub-a" }), now: NOW });
    expect(decision.ruleId).toBe("mine");
    // The trace still names every rule before the decider, with why it did not hold.
    expect(decision.trace).toHaveLength(1001);
    expect(decision.trace[0]).toEqual({
      ruleId: "r0",
      matched: false,
      detail: 'consumer.subscription: consumer subscription "sub-a" is not listed',
    });
  });

  it("merges the rules filed under several keys into document order, each once", () => {
    const rule = (id: string, when: object) => ({ id, when, then: { verdict: "reject", reason: id } });
    const policy = parsePolicy(
      JSON.stringify({
        schemaVersion: 1,
        rules: [
          rule("by-location", { location: "westeurope" }),
          rule("by-group", { groupId: "blob" }),
          rule("by-resource-group", { resource: { id: "/subscriptions/*/resourceGroups/rg-data/**" } }),
          rule("elsewhere", { location: "northeurope" }),
          rule("by-tag", { resource: { tags: { env: "prod" } } }),
          rule("by-both-groups", { groupId: ["blob", "file"] }),
        ],
      }),
    );
    const ctx = buildContext(
      aRequest({
        // Doubled and trailing slashes are mended before the id's segments are looked up.
        providerResourceId: "/subscriptions/S//resourceGroups/RG-Data/providers/Microsoft.Storage/storageAccounts/st/",
        groupIds: ["blob", "file"],
        location: "West Europe",
        providerResourceTags: { Env: "Prod" },
      }),
      undefined,
      NOW,
    );
    expect(ctx.resourceId).toBe(
      "/subscriptions/s/resourcegroups/rg-data/providers/microsoft.storage/storageaccounts/st",
    );
    expect(compiledRulesOf(policy).index.candidates(ctx)).toEqual([0, 1, 2, 4, 5]);
  });
});
