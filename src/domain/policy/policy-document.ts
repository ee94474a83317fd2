import type { TenantStatus } from "../tenant";

/** The policy file's shape; policy.schema.json is its contract. */
export interface PolicyDocument {
  $schema?: string;
  schemaVersion: 1;
  description?: string;
  rules: PolicyRule[];
  default?: PolicyOutcome;
  /** ISO 8601 duration: a request Pending longer than this (since we first saw it) is rejected. Rules may override. */
  maxPendingAge?: string;
}

export type StringOrList = string | string[];

export interface PolicyRule {
  id: string;
  description?: string;
  when?: PolicyConditions;
  then: PolicyOutcome;
}

export interface PolicyConditions {
  resource?: { id?: StringOrList; type?: StringOrList; tags?: Record<string, StringOrList> };
  groupId?: StringOrList;
  consumer?: { subscription?: StringOrList; tenant?: StringOrList };
  tenant?: {
    known?: boolean;
    status?: TenantStatus | TenantStatus[];
    subscriptionAllowed?: boolean;
    quotaExceeded?: boolean;
  };
  requestMessage?: { matches?: string; notMatches?: string; ignoreCase?: boolean };
  location?: StringOrList;
  timeWindow?: { days?: DayName[]; from?: string; to?: string; utcOffset?: string };
}

export type DayName = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

export interface PolicyOutcome {
  verdict: "approve" | "reject" | "review";
  reason: string;
  /** This rule's maximum Pending age (overrides the policy-wide one). */
  maxPendingAge?: string;
  /** An approval lasts this long (ISO 8601 duration) unless renewed; then the connection is rejected and removed. */
  validFor?: string;
  review?: {
    approvers?: string[];
    includeTenantApprovers?: boolean;
    deadline?: string;
    reminders?: string[];
    onDeadline?: "reject" | "approve";
    escalation?: { after: string; to: string[] };
  };
}
