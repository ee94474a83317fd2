import type { ConnectionRequest } from "../connection";
import type { Tenant } from "../tenant";
import { compiledRulesOf, DEFAULT_DEADLINE, type CompiledRule, type Policy } from "./parse-policy";
import type { PolicyOutcome } from "./policy-document";
import { buildContext, type EvalContext } from "./rule-matchers";

export type Verdict = "approve" | "reject" | "review";

export interface ReviewSpec {
  approvers: string[];
  /** ISO-8601 duration, e.g. "PT48H". */
  deadline: string;
  /** Durations after the review starts. */
  reminders: string[];
  onDeadline: "reject" | "approve";
  /** Who else is asked, and when (a duration after the start), if nobody has decided by then. */
  escalation?: { after: string; to: string[] };
}

export interface RuleTraceEntry {
  ruleId: string;
  matched: boolean;
  detail: string;
}

export interface PolicyDecision {
  verdict: Verdict;
  ruleId: string;
  reason: string;
  policyVersion: string;
  /** Every rule tried, in order, up to and including the one that decided ("default" when none matched). */
  trace: RuleTraceEntry[];
  review?: ReviewSpec;
  /** How long the request may stay Pending since we first saw it (the rule's, else the policy-wide limit). */
  maxPendingAge?: string;
  /** An approval under this decision lasts this long unless renewed. */
  validFor?: string;
}

export interface PolicyInput {
  request: ConnectionRequest;
  tenant?: Tenant;
  /** ISO time, passed in (the domain never reads the clock). */
  now: string;
}

export const DEFAULT_RULE_ID = "default";

/** What happens when a document has no default: a person decides, and silence rejects. */
const ENGINE_DEFAULT: PolicyOutcome = {
  verdict: "review",
  reason: "No policy rule matched this request, so a person must review it.",
  review: {},
};

/**
 * First matching rule in document order decides; otherwise the document's default (or review). Pure. Only the rules
 * the index lists for this request are tried; the trace (every rule before the decider) is written when first read.
 */
export function evaluatePolicy(policy: Policy, input: PolicyInput): PolicyDecision {
  const { rules, index } = compiledRulesOf(policy);
  const ctx = buildContext(input.request, input.tenant, input.now);
  const decider = index.candidates(ctx).find((i) => holds(rules[i]!, ctx)) ?? rules.length;
  return decide(policy, rules, decider, ctx, input.tenant);
}

/** The straightforward first-match evaluation, rule after rule: the reference the index must agree with. */
export function evaluatePolicyInOrder(policy: Policy, input: PolicyInput): PolicyDecision {
  const { rules } = compiledRulesOf(policy);
  const ctx = buildContext(input.request, input.tenant, input.now);
  const decider = rules.findIndex((rule) => holds(rule, ctx));
  return decide(policy, rules, decider === -1 ? rules.length : decider, ctx, input.tenant);
}

/** Whether every condition of the rule holds (the reasons are only spelled out for the trace). */
function holds(rule: CompiledRule, ctx: EvalContext): boolean {
  for (const check of rule.checks) if (check.test(ctx) !== undefined) return false;
  return true;
}

/** Why the rule does not hold (its first failing condition), or undefined when it holds. */
function firstFailure(rule: CompiledRule, ctx: EvalContext): string | undefined {
  for (const check of rule.checks) {
    const why = check.test(ctx);
    if (why !== undefined) return `${check.name}: ${why}`;
  }
  return undefined;
}

function traceEntry(rule: CompiledRule, ctx: EvalContext): RuleTraceEntry {
  const failed = firstFailure(rule, ctx);
  if (failed !== undefined) return { ruleId: rule.id, matched: false, detail: failed };
  const names = rule.checks.map((c) => c.name);
  return { ruleId: rule.id, matched: true, detail: names.length ? `all hold: ${names.join(", ")}` : "no conditions" };
}

/** The decision of rule `decider` (the default when it is past the last rule), its trace built on first read. */
function decide(
  policy: Policy,
  rules: CompiledRule[],
  decider: number,
  ctx: EvalContext,
  tenant: Tenant | undefined,
): PolicyDecision {
  const rule = rules[decider];
  const o = rule?.then ?? policy.document.default ?? ENGINE_DEFAULT;
  let trace: RuleTraceEntry[] | undefined;
  // A literal getter (an own, enumerable property, so JSON carries the trace) costs far less than defineProperty.
  const decision: PolicyDecision = {
    verdict: o.verdict,
    ruleId: rule?.id ?? DEFAULT_RULE_ID,
    reason: o.reason,
    policyVersion: policy.version,
    get trace() {
      return (trace ??= [
        ...rules.slice(0, decider).map((r) => traceEntry(r, ctx)),
        rule ? traceEntry(rule, ctx) : { ruleId: DEFAULT_RULE_ID, matched: true, detail: "no rule matched" },
      ]);
    },
  };
  const maxPendingAge = o.maxPendingAge ?? policy.document.maxPendingAge;
  if (maxPendingAge) decision.maxPendingAge = maxPendingAge;
  if (o.validFor && o.verdict !== "reject") decision.validFor = o.validFor;
  if (o.verdict === "review") decision.review = reviewSpec(o, tenant);
  return decision;
}

function reviewSpec(o: PolicyOutcome, tenant: Tenant | undefined): ReviewSpec {
  const r = o.review ?? {};
  const approvers = [...(r.approvers ?? []), ...(r.includeTenantApprovers && tenant ? tenant.approvers : [])];
  return {
    approvers: [...new Set(approvers)],
    deadline: r.deadline ?? DEFAULT_DEADLINE,
    reminders: [...(r.reminders ?? [])],
    onDeadline: r.onDeadline ?? "reject",
    ...(r.escalation ? { escalation: { after: r.escalation.after, to: [...r.escalation.to] } } : {}),
  };
}
