import { describe, expect, it } from "vitest";
import {
  evaluatePolicy,
  MAX_POLICY_CHARS,
  parsePolicy,
  validatePolicyDocument,
  type Policy,
} from "../../../src/domain/policy";
import { aRequest } from "./request-mother";
import { errorOf } from "./domain-error.helper";

// What `policy check` tells an operator about a document: every problem, with its path and what to do.

const NOW = "2026-03-02T09:30:00Z";
const rule = (then: object, id = "r") => ({ id, then });
const doc = (rules: object[], extra: object = {}) => ({ schemaVersion: 1, rules, ...extra });
const errorsOf = (d: unknown) => validatePolicyDocument(d).errors;
const review = (settings: object) => ({ verdict: "review", reason: "x", review: settings });

describe("review settings a schema cannot check", () => {
  it("gives review settings to review verdicts only", () => {
    expect(errorsOf(doc([rule({ verdict: "approve", reason: "x", review: {} })]))).toEqual([
      '/rules/0/then/review: only a "review" verdict takes review settings.',
    ]);
    expect(errorsOf(doc([rule(review({}))]))).toEqual([]);
  });

  it("refuses a zero deadline", () => {
    expect(errorsOf(doc([rule(review({ deadline: "PT0S" }))]))).toEqual([
      "/rules/0/then/review/deadline: the deadline must be longer than zero.",
    ]);
    expect(errorsOf(doc([rule(review({ deadline: "PT1S" }))]))).toEqual([]);
  });

  it("puts reminders strictly between the start and the deadline (48 hours when none is given)", () => {
    const reminders = (deadline: string | undefined, ...at: string[]) =>
      errorsOf(doc([rule(review({ ...(deadline ? { deadline } : {}), reminders: at }))]));
    expect(reminders("PT2H", "PT1H", "PT119M")).toEqual([]);
    expect(reminders("PT2H", "PT1H", "PT2H", "PT0S")).toEqual([
      "/rules/0/then/review/reminders/1: a reminder must fall after the start and before the deadline.",
      "/rules/0/then/review/reminders/2: a reminder must fall after the start and before the deadline.",
    ]);
    expect(reminders(undefined, "PT47H")).toEqual([]);
    expect(reminders(undefined, "PT48H")).toHaveLength(1);
  });

  it("puts an escalation strictly between the start and the deadline (48 hours when none is given)", () => {
    const escalation = (deadline: string | undefined, after: string) =>
      errorsOf(doc([rule(review({ ...(deadline ? { deadline } : {}), escalation: { after, to: ["a@x.example"] } }))]));
    const refused = [
      "/rules/0/then/review/escalation/after: escalation must fall after the start and before the deadline.",
    ];
    expect(escalation("PT2H", "PT1H")).toEqual([]);
    expect(escalation("PT2H", "PT2H")).toEqual(refused);
    expect(escalation("PT2H", "PT0S")).toEqual(refused);
    expect(escalation(undefined, "PT47H")).toEqual([]);
    expect(escalation(undefined, "P2D")).toEqual(refused);
  });

  it("checks the default's outcome like a rule's", () => {
    expect(errorsOf(doc([], { default: review({ deadline: "PT0S" }) }))).toEqual([
      "/default/review/deadline: the deadline must be longer than zero.",
    ]);
    expect(errorsOf(doc([], { default: { verdict: "reject", reason: "x" } }))).toEqual([]);
  });
});

describe("rule ids", () => {
  it("refuses the same id twice whatever its case, and names each repeat", () => {
    const rules = [rule({ verdict: "reject", reason: "x" }, "Same"), rule({ verdict: "reject", reason: "x" }, "same")];
    expect(errorsOf(doc([...rules, rule({ verdict: "reject", reason: "x" }, "SAME")]))).toEqual([
      '/rules/1/id: rule id "same" is used twice; give each rule its own id.',
      '/rules/2/id: rule id "SAME" is used twice; give each rule its own id.',
    ]);
  });
});

describe("schema problems", () => {
  it("names the allowed values of an enum, the unknown property and the root", () => {
    expect(errorsOf(doc([rule({ verdict: "maybe", reason: "x" })]))).toContain(
      "/rules/0/then/verdict: must be equal to one of the allowed values (approve, reject, review)",
    );
    expect(errorsOf({ ...doc([]), colour: "blue" })).toEqual(['/: must NOT have additional properties ("colour")']);
  });

  it("explains a wrong form with the field's description", () => {
    expect(errorsOf(doc([rule({ verdict: "reject", reason: "x" }, "has space")]))).toEqual([
      "/rules/0/id: has the wrong form (Unique rule name; decisions and audit entries cite it)",
    ]);
  });

  it("lists a problem once even when several schema branches report it", () => {
    const errors = errorsOf(doc([{ id: "r", when: { groupId: 5 }, then: { verdict: "reject", reason: "x" } }]));
    expect(new Set(errors).size).toBe(errors.length);
    expect(errors.every((e) => e.startsWith("/rules/0/when/groupId"))).toBe(true);
  });

  it("counts the problems and lists them in one sentence without doubled full stops", () => {
    const e = errorOf(() =>
      parsePolicy(
        JSON.stringify(doc([rule(review({ deadline: "PT0S" }))], { default: { verdict: "approve", reason: "x" } })),
      ),
    );
    expect(e.message).toBe(
      "The policy has 2 problem(s): /rules/0/then/review/deadline: the deadline must be longer than zero; " +
        '/default: the default must not approve: unmatched requests would be approved silently. Use "review".',
    );
  });
});

describe("hostile documents", () => {
  it("refuses a policy longer than the limit, or not text, before reading it", () => {
    const tooLong = " ".repeat(MAX_POLICY_CHARS + 1);
    const limit = `The policy must be text of at most ${MAX_POLICY_CHARS} characters.`;
    expect(errorOf(() => parsePolicy(tooLong)).message).toBe(limit);
    expect(errorOf(() => parsePolicy(42 as unknown as string)).message).toBe(limit);
    const padded = JSON.stringify(doc([])).padEnd(MAX_POLICY_CHARS, " ");
    expect(parsePolicy(padded).document.rules).toEqual([]);
  });

  it("names the path of a forbidden key, however deep", () => {
    const hostile = JSON.parse('{"schemaVersion":1,"rules":[{"id":"r","then":{"constructor":1}}]}') as unknown;
    expect(errorsOf(hostile)).toEqual(["/rules/0/then/constructor: this key name is not allowed; remove it."]);
  });

  it("allows 32 levels of nesting and refuses 33 at the path where it happens", () => {
    const nested = (depth: number) => {
      let value: unknown = "x";
      for (let i = 0; i < depth; i++) value = { a: value };
      return { schemaVersion: 1, rules: [], description: value };
    };
    // The description is not an object, so the schema refuses 32 levels; the depth check must not fire first.
    expect(errorsOf(nested(31))).toEqual(["/description: must be string"]);
    expect(errorsOf(nested(32))[0]).toMatch(/^\/description(\/a){32}: nested deeper than 32 levels/);
  });

  it("reads JSON and YAML alike, and says what is wrong with broken JSON", () => {
    const json = JSON.stringify(doc([rule({ verdict: "reject", reason: "x" })]));
    expect(parsePolicy(`  ${json}`).version).toBe(parsePolicy(json).version);
    expect(errorOf(() => parsePolicy('{"schemaVersion": 1,')).message).toMatch(
      /^The policy is not valid YAML or JSON: .+\. Fix the syntax and try again\.$/,
    );
    expect(errorOf(() => parsePolicy("a: 1\n\tb: 2")).message).not.toContain("\n");
  });
});

describe("policies read back from storage", () => {
  it("compiles a copy once and keeps deciding the same way", () => {
    const policy = parsePolicy(
      JSON.stringify(
        doc([{ id: "pg", when: { groupId: "postgresqlServer" }, then: { verdict: "reject", reason: "x" } }]),
      ),
    );
    const copy = JSON.parse(JSON.stringify(policy)) as Policy;
    for (let i = 0; i < 2; i++) {
      expect(evaluatePolicy(copy, { request: aRequest(), now: NOW }).ruleId).toBe("pg");
      expect(evaluatePolicy(copy, { request: aRequest({ groupIds: [] }), now: NOW }).ruleId).toBe("default");
    }
  });

  it("refuses a copy whose document is no longer valid, listing its problems", () => {
    const bad = { version: "v", document: doc([rule({ verdict: "approve", reason: "x" }, "a b")]) } as Policy;
    expect(errorOf(() => evaluatePolicy(bad, { request: aRequest(), now: NOW })).message).toMatch(
      /^The policy has 1 problem\(s\): \/rules\/0\/id: has the wrong form/,
    );
  });
});
