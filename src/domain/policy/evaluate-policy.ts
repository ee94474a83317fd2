import type { ConnectionRequest } from "../connection";
import type { Tenant } from "../tenant";
import { compiledRulesOf, DEFAULT_DEADLINE, type Policy } from "./parse-policy";
import type { PolicyOutcome } from "./policy-document";
import { buildContext } from "./rule-matchers";

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

/** First matching rule in document order decides; otherwise the document's default (or review). Pure. */
export function evaluatePolicy(policy: Policy, input: PolicyInput): PolicyDecision {
  const rules = compiledRulesOf(policy);
  const ctx = buildContext(input.request, input.tenant, input.now);
  const trace: RuleTraceEntry[] = [];
  for (const rule of rules) {
    let failed: string | undefined;
    for (const check of rule.checks) {
      const why = check.test(ctx);
      if (why !== undefined) {
        failed = `${check.name}: ${why}`;
        break;
      }
    }
    if (failed !== undefined) {
      trace.push({ ruleId: rule.id, matched: false, detail: failed });
      continue;
    }
    const names = rule.checks.map((c) => c.name);
    trace.push({
      ruleId: rule.id,
      matched: true,
      detail: names.length ? `all hold: ${names.join(", ")}` : "no conditions",
    });
    return decide(rule.id, rule.then, policy, trace, input.tenant);
  }
  const outcome = policy.document.default ?? ENGINE_DEFAULT;
  trace.push({ ruleId: DEFAULT_RULE_ID, matched: true, detail: "no rule matched" });
  return decide(DEFAULT_RULE_ID, outcome, policy, trace, input.tenant);
}

function decide(
  ruleId: string,
  o: PolicyOutcome,
  policy: Policy,
  trace: RuleTraceEntry[],
  tenant?: Tenant,
): PolicyDecision {
  const maxPendingAge = o.maxPendingAge ?? policy.document.maxPendingAge;
  const decision: PolicyDecision = {
    verdict: o.verdict,
    ruleId,
    reason: o.reason,
    policyVersion: policy.version,
    trace,
    ...(maxPendingAge ? { maxPendingAge } : {}),
    ...(o.validFor && o.verdict !== "reject" ? { validFor: o.validFor } : {}),
  };
  if (o.verdict === "review") {
    const r = o.review ?? {};
    const approvers = [...(r.approvers ?? []), ...(r.includeTenantApprovers && tenant ? tenant.approvers : [])];
    decision.review = {
      approvers: [...new Set(approvers)],
      deadline: r.deadline ?? DEFAULT_DEADLINE,
      reminders: [...(r.reminders ?? [])],
      onDeadline: r.onDeadline ?? "reject",
      ...(r.escalation ? { escalation: { after: r.escalation.after, to: [...r.escalation.to] } } : {}),
    };
  }
  return decision;
}
