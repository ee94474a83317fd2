import type { AzureConnectionStatus, ConnectionRequest, ReviewState, SignalSource } from "../domain/connection";
import type { PolicyDecision, Verdict } from "../domain/policy";
import type { Tenant } from "../domain/tenant";
import type { ArmConnection, PrivateEndpointInfo } from "../ports/connection-gateway.port";
import type { RecordedDnsRecord } from "../ports/bookkeeping.port";
import type { NoticeKind } from "../ports/notifier.port";
import { ActivityNames, type ActivityName } from "./names";

/** Permanent failures come back as values (the retry policy must not repeat them); transient ones are thrown. */
export type StepResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** Input of the connection-review orchestration. */
export interface ReviewInput {
  connectionId: string;
  source: SignalSource;
  /** ISO time the signal was observed. */
  observedAt: string;
  eventId?: string;
  /** Tenant id from the event's claims, when the signal carried one. */
  claimsTenantId?: string;
  /** Who asked (HTTP caller, "sweep", "event-grid"). */
  requestedBy?: string;
  /** What the intake path already read from ARM, so the review need not read it again (see ObservedSnapshot). */
  observed?: ObservedSnapshot;
}

/**
 * ARM state an intake path read moments ago. While fresh, the review records the request and resolves the tenant on
 * it instead of a first read of its own; policy judges the state the writing step reads itself, right before it
 * writes, so a stale snapshot never decides or overwrites anything. The endpoint feeds the DNS step.
 */
export interface ObservedSnapshot {
  /** ISO time of the read. */
  at: string;
  connection?: ArmConnection;
  endpoint?: PrivateEndpointInfo;
}

/**
 * Audit step ids are made per run: a review that runs again under the same instance id (a re-review) must not
 * find its steps already recorded. The orchestration sets `run` to its instance id and start time.
 */
export interface RunScoped {
  instanceId: string;
  run?: string;
}

/** The prefix of a run's audit step ids. */
export function runOf(input: RunScoped): string {
  return input.run ?? input.instanceId;
}

/** What policy judged, for the acting activity to hold against what ARM shows right before it writes. */
export interface JudgedConnection {
  privateEndpointId?: string;
  consumerSubscriptionId?: string;
  tenantId?: string;
  /** Policy may match on it (a change ticket): the message must be the one ARM shows. */
  requestMessage?: string;
}

/** How a person's decision reached the review. */
export type DecisionChannel = "page" | "api" | "event";

/** What recording a request tells the review: when we first saw the connection (its age counts from there). */
export interface RecordedRequest {
  firstSeenAt: string;
}

/** The body of the RenewApproval external event. */
export interface RenewEventBody {
  /** Who renewed (the signed-in Approver or Admin). */
  by: string;
  reason?: string;
}

/** The body of the ApprovalDecision external event. */
export interface ApprovalEventBody {
  decision: "approve" | "reject";
  approver: string;
  reason?: string;
  /** The approval page, the decision API, or a raw durable event (anything unnamed). */
  via?: DecisionChannel;
}

export interface ReviewOutcome {
  connectionId: string;
  state: ReviewState;
  verdict?: Verdict;
  ruleId?: string;
  reason: string;
  decidedBy?: string;
  dnsRecords?: RecordedDnsRecord[];
  dnsNote?: string;
}

/** What the orchestration shows through custom status while it runs. */
export interface ReviewProgress {
  step:
    | "recording"
    | "reading-connection"
    | "resolving-tenant"
    | "evaluating-policy"
    | "asking-approvers"
    | "awaiting-approval"
    | "applying-decision"
    | "registering-dns"
    | "recording-outcome"
    | "approved-until"
    | "done";
  verdict?: Verdict;
  ruleId?: string;
  deadline?: string;
  state?: ReviewState;
  /** While awaiting approval: who may decide (the approval endpoints check the signed-in person against it). */
  approvers?: string[];
  onDeadline?: "approve" | "reject";
  /** A time-bound approval: when it ends unless renewed. */
  validUntil?: string;
}

export interface RecordRequestInput extends RunScoped {
  connectionId: string;
  source: SignalSource;
  observedAt: string;
  eventId?: string;
  requestedBy?: string;
  at: string;
}

export interface ResolveTenantInput extends RunScoped {
  connection: ArmConnection;
  claimsTenantId?: string;
  at: string;
}

export interface DecideInput extends RunScoped {
  /** What the review saw so far (a hint): without `apply`, what policy judges; with it, what ARM must still show. */
  request: ConnectionRequest;
  tenant?: Tenant;
  now: string;
  /**
   * Judge on ARM's state read in this activity, and write the verdict when policy decides alone (approve or reject,
   * not expired). Absent in the inputs older instances scheduled: they judge `request` and write later.
   */
  apply?: DecideAndApply;
}

export interface DecideAndApply {
  /** When we first saw the request: past the policy's maximum Pending age, nothing is written here. */
  firstSeenAt: string;
}

/**
 * Policy's decision; `written` when the activity also wrote it through ARM (the connection as it is afterwards).
 * Older instances' history holds a bare PolicyDecision: the review then writes in its apply step, as before.
 */
export type DecideResult = PolicyDecision & { written?: ArmConnection };

export interface RequestApprovalInput extends RunScoped {
  request: ConnectionRequest;
  decision: PolicyDecision;
  /** The tenant record (approvers, its own Teams webhook and channels), when known. */
  tenant?: Tenant;
  deadline: string;
  kind: NoticeKind;
  /** Escalation: the contacts to ask (otherwise the approvers are resolved from rule, tenant and settings). */
  recipients?: string[];
  /** Distinguishes reminders in the audit log (idempotency key). */
  sequence: number;
  at: string;
}

export interface RequestApprovalResult {
  /** Who was asked: they, and only they, may decide. */
  approvers: string[];
  /** Whether at least one channel took the notice. */
  delivered: boolean;
}

export interface RecordHumanDecisionInput extends RunScoped {
  connectionId: string;
  /**
   * "event" for a person's decision, "deadline" for the policy's onDeadline outcome, "expired" for a request past
   * the maximum Pending age; "refused": not an approver.
   */
  via: "event" | "deadline" | "expired" | "invalid-event" | "refused";
  /** The channel the person decided through. */
  channel?: DecisionChannel;
  decision?: "approve" | "reject";
  actor: string;
  reason: string;
  sequence: number;
  at: string;
}

export interface ApplyDecisionInput extends RunScoped {
  connectionId: string;
  status: "Approved" | "Rejected";
  description: string;
  actor: string;
  /** Checked against ARM's connection and our tenant table before anything is written. */
  judged: JudgedConnection;
  /** A person decided: an approval may take the tenant past its quota (it is still counted). */
  overQuotaAllowed: boolean;
  at: string;
}

export interface RegisterDnsInput extends RunScoped {
  connection: ArmConnection;
  /** The endpoint as intake read it; read again when absent or for another endpoint. */
  endpoint?: PrivateEndpointInfo;
  tenantId?: string;
  at: string;
}

export interface RegisterDnsResult {
  records: RecordedDnsRecord[];
  note?: string;
}

export interface RecordOutcomeInput extends RunScoped {
  connectionId: string;
  providerResourceId: string;
  state: ReviewState;
  azureStatus?: AzureConnectionStatus;
  verdict?: Verdict;
  ruleId?: string;
  policyVersion?: string;
  reason: string;
  decidedBy?: string;
  tenantId?: string;
  dnsRecords?: RecordedDnsRecord[];
  dnsNote?: string;
  at: string;
}

/** Input of the connection-cleanup orchestration. */
export interface CleanupInput {
  /** The deleted endpoint: every connection recorded for it is cleaned up. */
  privateEndpointId?: string;
  /** Or one connection (e.g. found Disconnected by the sweep). */
  connectionId?: string;
  reason: string;
  observedAt: string;
  eventId?: string;
}

export interface CleanupTarget {
  connectionId: string;
  privateEndpointId?: string;
  tenantId?: string;
  dnsRecords: { zone: string; name: string }[];
}

export interface CleanupOutcome {
  cleaned: { connectionId: string; dnsRemoved: number; dnsKept: number; providerConnection: string }[];
  /** Signalled gone, but ARM shows them alive (or could not be read): nothing was touched. */
  kept: { connectionId: string; why: string }[];
  failures: { connectionId: string; code: string; message: string }[];
}

export interface ConfirmGoneInput {
  instanceId: string;
  target: CleanupTarget;
  at: string;
}

/** ARM's verdict on a connection a signal says is gone; only `gone` lets the clean-up act. */
export interface GoneVerdict {
  gone: boolean;
  /** ARM answered 404 for the private endpoint. */
  endpointGone: boolean;
  why: string;
}

export interface RemoveDnsInput {
  instanceId: string;
  target: CleanupTarget;
  at: string;
}

export interface DeleteProviderConnectionInput {
  instanceId: string;
  connectionId: string;
  /** Ignored (older instances pass it): the activity asks ARM itself right before it deletes. */
  endpointDeleted?: boolean;
  at: string;
}

export interface RecordRemovalInput {
  instanceId: string;
  target: CleanupTarget;
  reason: string;
  providerConnection: string;
  at: string;
}

/** Input of the endpoint-intake orchestration: a consumer-side endpoint was written. */
export interface EndpointIntakeInput {
  privateEndpointId: string;
  observedAt: string;
  eventId?: string;
  claimsTenantId?: string;
}

export interface ResolveEndpointInput {
  privateEndpointId: string;
}

/** What intake resolution read: the endpoint's connections on our resources and, when readable, the endpoint. */
export interface ResolvedEndpoint {
  connections: ArmConnection[];
  endpoint?: PrivateEndpointInfo;
}

/** Input of the notification-intake orchestration: the connections one resource notification named (bounded). */
export interface NotificationIntakeInput {
  providerResourceId: string;
  connectionIds: string[];
  observedAt: string;
  eventId?: string;
}

export interface ListNotifiedConnectionsInput {
  providerResourceId: string;
  connectionIds: string[];
}

export interface ReadConnectionInput {
  connectionId: string;
}

export interface RemoveDnsResult {
  removed: number;
  kept: number;
}

export type ProviderConnectionOutcome = "deleted" | "absent" | "kept";

// ---- stale connections (stale.activities.ts, retention.orchestration.ts) ----

/** A time-bound approval began or was renewed: until when, and who renewed it. */
export interface RecordApprovalPeriodInput extends RunScoped {
  connectionId: string;
  validUntil: string;
  /** Absent for the first period (the approval itself). */
  renewedBy?: string;
  reason?: string;
  sequence: number;
  at: string;
}

export interface EndApprovalInput extends RunScoped {
  connectionId: string;
  /** What ARM's description will say (why, and how to ask again). */
  description: string;
  at: string;
}

/** "rejected": we rejected it now (or had, on a repeated run); otherwise what ARM showed, and nothing was written. */
export type EndApprovalResult = { outcome: "rejected" } | { outcome: "left"; why: string };

export interface RecordApprovalEndInput extends RunScoped {
  connectionId: string;
  result: EndApprovalResult;
  at: string;
}

export interface ListRetainedInput {
  now: string;
  retention: string;
  limit: number;
}

export interface DeleteRetainedInput {
  instanceId: string;
  connectionId: string;
  retention: string;
  at: string;
}

export type DeleteRetainedResult = "deleted" | "absent" | "kept";

/** Input of the retention orchestration. */
export interface RetentionInput {
  /** RETENTION_PERIOD: ISO 8601 duration. */
  retention: string;
  /** Deletions per run; the rest is found by the next run. */
  limit: number;
}

/**
 * Every activity's input and output, by name: the orchestrations call and the activity modules implement exactly
 * these, so a wrong shape on either side is a compile error.
 */
export interface ActivityContracts {
  [ActivityNames.recordRequest]: { input: RecordRequestInput; output: StepResult<RecordedRequest> };
  [ActivityNames.readConnection]: { input: ReadConnectionInput; output: StepResult<ArmConnection | null> };
  [ActivityNames.resolveTenant]: { input: ResolveTenantInput; output: Tenant | null };
  [ActivityNames.decide]: { input: DecideInput; output: StepResult<DecideResult> };
  [ActivityNames.requestApproval]: { input: RequestApprovalInput; output: RequestApprovalResult };
  [ActivityNames.recordHumanDecision]: { input: RecordHumanDecisionInput; output: null };
  [ActivityNames.applyDecision]: { input: ApplyDecisionInput; output: StepResult<ArmConnection> };
  [ActivityNames.registerDns]: { input: RegisterDnsInput; output: RegisterDnsResult };
  [ActivityNames.recordOutcome]: { input: RecordOutcomeInput; output: null };
  [ActivityNames.findEndpointConnections]: { input: CleanupInput; output: CleanupTarget[] };
  [ActivityNames.confirmGone]: { input: ConfirmGoneInput; output: GoneVerdict };
  [ActivityNames.removeDns]: { input: RemoveDnsInput; output: RemoveDnsResult };
  [ActivityNames.deleteProviderConnection]: {
    input: DeleteProviderConnectionInput;
    output: StepResult<ProviderConnectionOutcome>;
  };
  [ActivityNames.recordRemoval]: { input: RecordRemovalInput; output: null };
  [ActivityNames.resolveEndpoint]: { input: ResolveEndpointInput; output: StepResult<ResolvedEndpoint> };
  [ActivityNames.listNotifiedConnections]: {
    input: ListNotifiedConnectionsInput;
    output: StepResult<ArmConnection[]>;
  };
  [ActivityNames.recordApprovalPeriod]: { input: RecordApprovalPeriodInput; output: null };
  [ActivityNames.endApproval]: { input: EndApprovalInput; output: EndApprovalResult };
  [ActivityNames.recordApprovalEnd]: { input: RecordApprovalEndInput; output: null };
  [ActivityNames.listRetained]: { input: ListRetainedInput; output: string[] };
  [ActivityNames.deleteRetained]: { input: DeleteRetainedInput; output: DeleteRetainedResult };
}

export type ActivityInput<N extends ActivityName> = ActivityContracts[N]["input"];
export type ActivityOutput<N extends ActivityName> = ActivityContracts[N]["output"];

/** Implementations of the named activities (all of them by default), each typed by its contract. */
export type ActivityHandlers<N extends ActivityName = ActivityName> = {
  [K in N]: (input: ActivityInput<K>) => Promise<ActivityOutput<K>>;
};
