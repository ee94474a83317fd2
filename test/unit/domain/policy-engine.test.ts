import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  contentVersion,
  durationToMs,
  evaluatePolicy,
  fnv1a64,
  parsePolicy,
  validatePolicyDocument,
  type Policy,
} from "../../../src/domain/policy";
import { aRequest, aTenant } from "./request-mother";
import { errorOf } from "./domain-error.helper";

const fixtures = path.resolve(__dirname, "../../fixtures/policy");
const load = (name: string) => parsePolicy(readFileSync(path.join(fixtures, name), "utf8"));
const NOW = "2026-03-02T09:30:00Z"; // a Monday

describe("parsePolicy", () => {
  it("lists every schema problem with its path", () => {
    const e = errorOf(() => load("invalid-many-problems.yaml"));
    expect(e.code).toBe("POLICY_INVALID");
    expect(e.message).toContain("/rules/0/then/verdict");
    expect(e.message).toContain('/rules/1/when: must NOT have additional properties ("colour")');
    expect(e.message).toContain("/rules/2/then/review/deadline");
    expect(e.message).toContain("/default: must have required property 'reason'");
  });

  it("lists the problems a schema cannot see", () => {
    const e = errorOf(() => load("invalid-semantics.yaml"));
    expect(e.message).toContain('/rules/1/id: rule id "same" is used twice');
    expect(e.message).toContain("/rules/0/when/requestMessage/matches: the pattern uses nested quantifiers");
    expect(e.message).toContain("/rules/1/when/requestMessage/notMatches: not a valid regular expression");
    expect(e.message).toContain("/rules/1/then/review/reminders/0");
    expect(e.message).toContain("/default: the default must not approve");
  });

  it("refuses a default that approves by waiting: nobody reviewing must not approve an unmatched request", () => {
    const policy = (onDeadline: string) =>
      `schemaVersion: 1\nrules: []\ndefault:\n  verdict: review\n  reason: x\n  review: { onDeadline: ${onDeadline} }\n`;
    const e = errorOf(() => parsePolicy(policy("approve")));
    expect(e.code).toBe("POLICY_INVALID");
    expect(e.message).toContain("/default/review/onDeadline: the default must not approve by waiting");
    expect(parsePolicy(policy("reject")).document.default?.review?.onDeadline).toBe("reject");
    const rule = `schemaVersion: 1\nrules:\n  - id: r\n    then: { verdict: review, reason: x, review: { onDeadline: approve } }\n`;
    expect(validatePolicyDocument(parsePolicy(rule).document).valid).toBe(true);
  });

  it("refuses over-long regexes, bad syntax, hostile keys and deep nesting", async () => {
    const long = `schemaVersion: 1\nrules:\n  - id: r\n    when: { requestMessage: { matches: "${"a".repeat(300)}" } }\n    then: { verdict: approve, reason: x }\n`;
    expect(errorOf(() => parsePolicy(long)).message).toMatch(/matches: must NOT have more than 256 characters/);
    expect(errorOf(() => parsePolicy("rules: [")).message).toMatch(/not valid YAML or JSON/);
    // An unknown tag is refused with the error, not printed as a warning on stderr and ignored.
    const warnings: unknown[] = [];
    const onWarning = (w: unknown) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      expect(errorOf(() => parsePolicy("!!js/function 'x'")).message).toMatch(/not valid YAML or JSON: .*tag/i);
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
    expect(errorOf(() => parsePolicy('{"schemaVersion":1,"rules":[],"__proto__":{"x":1}}')).code).toBe(
      "POLICY_INVALID",
    );
    expect(errorOf(() => parsePolicy(`${"[".repeat(60)}${"]".repeat(60)}`)).message).toMatch(/nested deeper|problem/);
    expect(errorOf(() => parsePolicy("schemaVersion: 1\nrules: []\nrules: []\n")).code).toBe("POLICY_INVALID");
    expect(validatePolicyDocument("text").valid).toBe(false);
    const empty = {
      schemaVersion: 1,
      rules: [
        { id: "r", when: { timeWindow: { from: "08:00", to: "08:00" } }, then: { verdict: "approve", reason: "x" } },
      ],
    };
    expect(validatePolicyDocument(empty).errors).toEqual([
      '/rules/0/when/timeWindow: "from" and "to" are equal, so the window is empty; widen it or remove it.',
    ]);
  });

  it("versions by content: same document, same version whatever the key order or format", () => {
    const a = parsePolicy('{"schemaVersion":1,"rules":[{"id":"r","then":{"verdict":"reject","reason":"x"}}]}');
    const b = parsePolicy("# comment\nrules:\n  - then: { reason: x, verdict: reject }\n    id: r\nschemaVersion: 1\n");
    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
    expect(b.version).toBe(a.version);
    expect(
      parsePolicy('{"schemaVersion":1,"rules":[{"id":"r","then":{"verdict":"reject","reason":"y"}}]}').version,
    ).not.toBe(a.version);
  });
});

describe("evaluatePolicy", () => {
  it("matches resource globs, types, group ids and locations (case-insensitive)", () => {
    const d = evaluatePolicy(load("matchers.policy.yaml"), { request: aRequest({ location: "westeurope" }), now: NOW });
    expect(d).toMatchObject({ verdict: "approve", ruleId: "glob-and-type" });
    expect(d.trace).toEqual([
      { ruleId: "glob-and-type", matched: true, detail: "all hold: resource.id, resource.type, groupId, location" },
    ]);
  });

  it("records why each earlier rule did not match, in order", () => {
    const d = evaluatePolicy(load("matchers.policy.yaml"), {
      request: aRequest({ providerResourceTags: { Owner: "x" }, requestMessage: "URGENT please", groupIds: ["blob"] }),
      tenant: aTenant(),
      now: NOW,
    });
    expect(d.ruleId).toBe("tag-any-value");
    expect(d.trace.map((t) => [t.ruleId, t.matched])).toEqual([
      ["glob-and-type", false],
      ["consumer-lists", false],
      ["tag-any-value", true],
    ]);
    expect(d.trace[0]!.detail).toBe("groupId: group ids [blob] are not listed");
    expect(d.review).toEqual({
      approvers: ["oncall@contoso.example", "owner@contoso.example"],
      deadline: "PT48H",
      reminders: [],
      onDeadline: "reject",
    });
  });

  it("matches consumer subscription and tenant lists", () => {
    const request = aRequest({
      groupIds: [],
      consumerSubscriptionId: "e5e5e5e5-0000-4000-8000-00000000e5e5",
      consumerTenantId: "55555555-eeee-4eee-8eee-000000000005",
    });
    expect(evaluatePolicy(load("matchers.policy.yaml"), { request, now: NOW }).ruleId).toBe("consumer-lists");
  });

  it("tells known from unknown tenants", () => {
    const request = aRequest({ groupIds: [] });
    expect(evaluatePolicy(load("matchers.policy.yaml"), { request, now: NOW }).ruleId).toBe("unknown-tenant-reject");
    expect(evaluatePolicy(load("matchers.policy.yaml"), { request, tenant: aTenant(), now: NOW }).ruleId).toBe(
      "default",
    );
  });

  it("falls to review with onDeadline reject when the document has no default", () => {
    const d = evaluatePolicy(load("matchers.policy.yaml"), {
      request: aRequest({ groupIds: [] }),
      tenant: aTenant(),
      now: NOW,
    });
    expect(d).toMatchObject({
      verdict: "review",
      ruleId: "default",
      review: { onDeadline: "reject", deadline: "PT48H" },
    });
    expect(d.trace.at(-1)).toEqual({ ruleId: "default", matched: true, detail: "no rule matched" });
  });

  it("evaluates time windows in a fixed offset, including windows across midnight", () => {
    const p = load("time-window.policy.json");
    const at = (now: string) => evaluatePolicy(p, { request: aRequest(), now }).ruleId;
    expect(at("2026-03-02T07:00:00Z")).toBe("office-hours-cet"); // Monday 08:00 at UTC+1
    expect(at("2026-03-02T06:59:00Z")).toBe("default");
    expect(at("2026-03-02T17:00:00Z")).toBe("default"); // 18:00 local: the end is exclusive
    expect(at("2026-03-07T09:00:00Z")).toBe("default"); // Saturday
    expect(at("2026-03-06T23:00:00Z")).toBe("overnight"); // Friday 23:00
    expect(at("2026-03-07T05:59:00Z")).toBe("overnight"); // Saturday early morning belongs to Friday's window
    expect(at("2026-03-06T05:00:00Z")).toBe("default"); // Friday early morning belongs to Thursday
  });

  it("refuses an evaluation time that is not a time", () => {
    expect(
      errorOf(() => evaluatePolicy(load("time-window.policy.json"), { request: aRequest(), now: "soon" })).code,
    ).toBe("NOW_INVALID");
  });

  it("compiles a policy built by hand or read back from JSON, and still refuses a bad one", () => {
    const p = load("matchers.policy.yaml");
    const copy: Policy = JSON.parse(JSON.stringify(p));
    expect(evaluatePolicy(copy, { request: aRequest(), now: NOW })).toEqual(
      evaluatePolicy(p, { request: aRequest(), now: NOW }),
    );
    const bad = { version: "x", document: { schemaVersion: 1, rules: [{ id: "r" }] } } as unknown as Policy;
    expect(errorOf(() => evaluatePolicy(bad, { request: aRequest(), now: NOW })).code).toBe("POLICY_INVALID");
  });

  it("keeps regex work bounded on a long request message", () => {
    const p = parsePolicy(
      'schemaVersion: 1\nrules:\n  - id: r\n    when: { requestMessage: { matches: "CHG\\\\d{7}$" } }\n    then: { verdict: approve, reason: x }\n',
    );
    const d = evaluatePolicy(p, {
      request: aRequest({ requestMessage: `${"x".repeat(100_000)}CHG1234567` }),
      now: NOW,
    });
    expect(d.ruleId).toBe("default"); // only the first 1,024 characters are read
  });
});

describe("durationToMs and hashing", () => {
  it.each([
    ["PT48H", 48 * 3600_000],
    ["P2D", 2 * 86_400_000],
    ["PT30M", 1_800_000],
    ["P1W", 7 * 86_400_000],
    ["P1DT1H1M1.5S", 90_061_500],
  ])("%s = %d ms", (iso, ms) => expect(durationToMs(iso)).toBe(ms));

  it.each(["", "P", "PT", "48h", "P1Y", "PT-1H", "P1M"])("refuses %j with DURATION_INVALID", (iso) => {
    expect(errorOf(() => durationToMs(iso)).code).toBe("DURATION_INVALID");
  });

  it("computes FNV-1a 64 like the reference vectors and hashes canonical JSON", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(contentVersion({ b: 1, a: 2 })).toBe(contentVersion({ a: 2, b: 1 }));
  });
});
