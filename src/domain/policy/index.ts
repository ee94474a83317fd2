import type { ConnectionRequest } from "../connection";
import { DomainError } from "../errors";
import type { Tenant } from "../tenant";

export type PolicyDocument = Record<string, unknown>;
export interface Policy {
  version: string;
  document: PolicyDocument;
}
export function parsePolicy(text: string): Policy {
  throw new DomainError("NOT_IMPLEMENTED", text);
}
export function validatePolicyDocument(doc: unknown): { valid: boolean; errors: string[] } {
  throw new DomainError("NOT_IMPLEMENTED", String(doc));
}
export type Verdict = "approve" | "reject" | "review";
export interface ReviewSpec {
  approvers: string[];
  deadline: string;
  reminders: string[];
  onDeadline: "reject" | "approve";
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
  trace: RuleTraceEntry[];
  review?: ReviewSpec;
}
export interface PolicyInput {
  request: ConnectionRequest;
  tenant?: Tenant;
  now: string;
}
export function evaluatePolicy(policy: Policy, input: PolicyInput): PolicyDecision {
  throw new DomainError("NOT_IMPLEMENTED", policy.version + input.now);
}
export function durationToMs(iso: string): number {
  throw new DomainError("NOT_IMPLEMENTED", iso);
}
