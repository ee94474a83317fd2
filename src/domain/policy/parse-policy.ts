import type { ErrorObject, ValidateFunction } from "ajv";
import { DomainError } from "../errors";
import { loadWhenUsed } from "../load-when-used";
import { FORBIDDEN_KEYS } from "../safe-json";
import { contentVersion } from "./content-hash";
import { durationToMs } from "./duration";
import type { PolicyDocument, PolicyOutcome } from "./policy-document";
import schema from "./policy.schema.json";
import { RuleIndex, ruleKeys } from "./rule-index";
import { compileConditions, type NamedCheck } from "./rule-matchers";

/** A validated policy; `version` is a 12-hex content hash of the document. */
export interface Policy {
  version: string;
  document: PolicyDocument;
}

export interface CompiledRule {
  id: string;
  checks: NamedCheck[];
  then: PolicyOutcome;
}

/** The rules in document order and the index that finds the few a request could match. */
export interface CompiledPolicy {
  rules: CompiledRule[];
  index: RuleIndex;
}

export const MAX_POLICY_CHARS = 2 * 1024 * 1024;
const MAX_DEPTH = 32;

export const POLICY_SCHEMA: object = schema;

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  const Ajv = loadWhenUsed<typeof import("ajv")>("ajv").default;
  validator ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(schema);
  return validator;
}

/** Parses a YAML or JSON policy; throws DomainError("POLICY_INVALID") listing every problem with its path. */
export function parsePolicy(text: string): Policy {
  if (typeof text !== "string" || text.length > MAX_POLICY_CHARS) {
    throw new DomainError("POLICY_INVALID", `The policy must be text of at most ${MAX_POLICY_CHARS} characters.`);
  }
  const doc = parseText(text);
  const { errors, rules } = checkDocument(doc);
  if (errors.length > 0 || !rules) throw new DomainError("POLICY_INVALID", problemList(errors));
  const policy: Policy = { version: contentVersion(doc), document: doc as PolicyDocument };
  compiled.set(policy, rules);
  return policy;
}

function parseText(text: string): unknown {
  // JSON.parse first: the YAML parser is ~300× slower on a large JSON policy, and JSON is YAML anyway.
  if (text.trimStart().startsWith("{")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // fall through: the YAML parser gives the better message
    }
  }
  try {
    // uniqueKeys refuses a document that says the same thing twice; aliases are capped. A warning (an unknown tag
    // such as !!js/function) refuses the policy too: it would otherwise be printed on stderr and then ignored.
    const { parseDocument } = loadWhenUsed<typeof import("yaml")>("yaml");
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, logLevel: "silent" });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    const first = (e as Error).message.split("\n")[0];
    throw new DomainError(
      "POLICY_INVALID",
      `The policy is not valid YAML or JSON: ${first}. Fix the syntax and try again.`,
    );
  }
}

/** Checks a parsed document against the JSON Schema and the rules a schema cannot express. */
export function validatePolicyDocument(doc: unknown): { valid: boolean; errors: string[] } {
  const { errors } = checkDocument(doc);
  return { valid: errors.length === 0, errors };
}

function checkDocument(doc: unknown): { errors: string[]; rules?: CompiledPolicy } {
  const hostile = findHostileStructure(doc, "", 0);
  if (hostile) return { errors: [hostile] };
  const validate = schemaValidator();
  if (!validate(doc)) return { errors: dedupe((validate.errors ?? []).map(formatAjvError)) };
  const errors: string[] = [];
  const document = doc as PolicyDocument;
  const rules = compileRules(document, errors);
  const index = new RuleIndex(document.rules.map((r) => ruleKeys(r.when)));
  return { errors, rules: { rules, index } };
}

const compiled = new WeakMap<Policy, CompiledPolicy>();

/** The precompiled rules of a policy; compiles (and validates) a Policy built by hand or read back from JSON. */
export function compiledRulesOf(policy: Policy): CompiledPolicy {
  let rules = compiled.get(policy);
  if (!rules) {
    const checked = checkDocument(policy.document);
    if (checked.errors.length > 0 || !checked.rules)
      throw new DomainError("POLICY_INVALID", problemList(checked.errors));
    rules = checked.rules;
    compiled.set(policy, rules);
  }
  return rules;
}

function compileRules(doc: PolicyDocument, problems: string[]): CompiledRule[] {
  const seen = new Set<string>();
  if (doc.maxPendingAge !== undefined && durationToMs(doc.maxPendingAge) === 0) {
    problems.push("/maxPendingAge: the maximum Pending age must be longer than zero.");
  }
  const rules = doc.rules.map((rule, i) => {
    const at = `/rules/${i}`;
    if (seen.has(rule.id.toLowerCase()))
      problems.push(`${at}/id: rule id "${rule.id}" is used twice; give each rule its own id.`);
    seen.add(rule.id.toLowerCase());
    checkOutcome(rule.then, `${at}/then`, problems);
    return { id: rule.id, checks: compileConditions(rule.when, `${at}/when`, problems), then: rule.then };
  });
  if (doc.default) {
    checkOutcome(doc.default, "/default", problems);
    if (doc.default.verdict === "approve") {
      problems.push(
        '/default: the default must not approve: unmatched requests would be approved silently. Use "review".',
      );
    }
    if (doc.default.review?.onDeadline === "approve") {
      problems.push(
        '/default/review/onDeadline: the default must not approve by waiting: an unmatched request nobody reviews would be approved. Use "reject".',
      );
    }
  }
  return rules;
}

function checkOutcome(o: PolicyOutcome, at: string, problems: string[]): void {
  if (o.review && o.verdict !== "review") problems.push(`${at}/review: only a "review" verdict takes review settings.`);
  if (o.validFor !== undefined && o.verdict === "reject") {
    problems.push(`${at}/validFor: a rejection lasts; only "approve" and "review" take validFor.`);
  }
  if (o.validFor !== undefined && durationToMs(o.validFor) === 0) {
    problems.push(`${at}/validFor: an approval must last longer than zero.`);
  }
  if (o.maxPendingAge !== undefined && durationToMs(o.maxPendingAge) === 0) {
    problems.push(`${at}/maxPendingAge: the maximum Pending age must be longer than zero.`);
  }
  const deadline = o.review?.deadline === undefined ? undefined : durationToMs(o.review.deadline);
  if (deadline === 0) problems.push(`${at}/review/deadline: the deadline must be longer than zero.`);
  o.review?.reminders?.forEach((r, i) => {
    const ms = durationToMs(r);
    if (ms <= 0 || ms >= (deadline ?? durationToMs(DEFAULT_DEADLINE))) {
      problems.push(`${at}/review/reminders/${i}: a reminder must fall after the start and before the deadline.`);
    }
  });
  const escalation = o.review?.escalation;
  if (escalation) {
    const ms = durationToMs(escalation.after);
    if (ms <= 0 || ms >= (deadline ?? durationToMs(DEFAULT_DEADLINE))) {
      problems.push(`${at}/review/escalation/after: escalation must fall after the start and before the deadline.`);
    }
  }
}

function problemList(errors: string[]): string {
  return `The policy has ${errors.length} problem(s): ${errors.map((e) => e.replace(/\.$/, "")).join("; ")}.`;
}

export const DEFAULT_DEADLINE = "PT48H";

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath || "/";
  if (e.keyword === "pattern") {
    const description = (e.parentSchema as { description?: string } | undefined)?.description;
    return `${where}: has the wrong form${description ? ` (${description.replace(/\.$/, "")})` : ""}`;
  }
  const extra =
    e.keyword === "additionalProperties"
      ? ` ("${(e.params as { additionalProperty: string }).additionalProperty}")`
      : e.keyword === "enum"
        ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})`
        : "";
  return `${where}: ${e.message ?? "is invalid"}${extra}`;
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

function findHostileStructure(value: unknown, at: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return `${at || "/"}: nested deeper than ${MAX_DEPTH} levels; a policy never needs that.`;
  if (value === null || typeof value !== "object") return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `${at}/${key}: this key name is not allowed; remove it.`;
    const found = findHostileStructure((value as Record<string, unknown>)[key], `${at}/${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
