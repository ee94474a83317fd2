import type { ConnectionRequest, ReviewState } from "../domain/connection";
import { sameArmId, tryParseArmId } from "../domain/arm-id";
import { durationToMs, type PolicyDecision, type Verdict } from "../domain/policy";
import { approvalEndedDescription, approvalWindow, pendingExpiredDescription, pendingExpiresAt } from "../domain/stale";
import type { Tenant } from "../domain/tenant";
import type { ArmConnection } from "../ports/connection-gateway.port";
import { PermanentCodes } from "../ports/errors";
import { toConnectionRequest } from "./connection-request";
import { describeDecision } from "./decision-description";
import { armConnectionOf } from "./recorded-connection";
import type {
  ApprovalEventBody,
  RenewEventBody,
  DecisionChannel,
  RecordOutcomeInput,
  RegisterDnsResult,
  RequestApprovalResult,
  ReviewInput,
  StepResult,
  ReviewOutcome,
  ReviewProgress,
} from "./contracts";
import { ActivityNames, APPROVAL_EVENT, RENEW_EVENT } from "./names";
import { callActivity, type WorkflowContext, type WorkflowGenerator, type WorkflowTask } from "./workflow-context";

interface FinalDecision {
  verdict: "approve" | "reject";
  actor: string;
  reason: string;
  /** A person's own words, shown to the consumer in the connection's description. */
  note?: string;
  /** The whole description, when the decision is not a rule's or a person's (an expired request). */
  description?: string;
}

const DECISION_CHANNELS: readonly DecisionChannel[] = ["page", "api", "event"];

/**
 * One review per connection: read ARM → record → tenant → policy (and its own ARM write) or a person or the
 * deadline (then an ARM write) → DNS → record. Nothing approves on an error path: every failure before the ARM write
 * ends the review as "failed". Every write follows a read of ARM in the same step and is held against what the
 * review recorded; the input is a hint, never a fact.
 */
export function* connectionReviewOrchestration(context: WorkflowContext): WorkflowGenerator<ReviewOutcome> {
  const input = context.df.getInput<ReviewInput>();
  const instanceId = context.df.instanceId;
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const progress = (p: ReviewProgress): void => context.df.setCustomStatus(p);
  const providerResourceId = tryParseArmId(input.connectionId)?.parent?.id ?? input.connectionId;
  // This run's scope for audit step ids (a re-review reuses the instance id); the first replayed time is the start.
  const run = `${instanceId}@${context.df.currentUtcDateTime.toISOString()}`;

  let decision: PolicyDecision | undefined;
  let tenantId: string | undefined;
  let approvedInArm = false;

  const finish = function* (
    state: ReviewState,
    reason: string,
    extra: Partial<RecordOutcomeInput> = {},
  ): WorkflowGenerator<ReviewOutcome> {
    progress({ step: "recording-outcome", state });
    const record: RecordOutcomeInput = {
      instanceId,
      run,
      connectionId: input.connectionId,
      providerResourceId,
      state,
      reason,
      at: now(),
      ...(decision
        ? { verdict: decision.verdict, ruleId: decision.ruleId, policyVersion: decision.policyVersion }
        : {}),
      ...(tenantId ? { tenantId } : {}),
      ...extra,
    };
    yield* callActivity(context, ActivityNames.recordOutcome, record);
    progress({ step: "done", state, ...(decision ? { verdict: decision.verdict, ruleId: decision.ruleId } : {}) });
    return {
      connectionId: input.connectionId,
      state,
      reason,
      ...(decision ? { verdict: decision.verdict, ruleId: decision.ruleId } : {}),
      ...(extra.decidedBy ? { decidedBy: extra.decidedBy } : {}),
      ...(extra.dnsRecords ? { dnsRecords: extra.dnsRecords } : {}),
      ...(extra.dnsNote ? { dnsNote: extra.dnsNote } : {}),
    };
  };

  try {
    progress({ step: "reading-connection" });
    // Nothing is recorded before ARM shows the connection: a signal about one it does not have leaves no row.
    let connection = freshObservedConnection(input, context.df.currentUtcDateTime);
    if (!connection) {
      const read = yield* callActivity(context, ActivityNames.readConnection, {
        connectionId: input.connectionId,
      });
      if (!read.ok) return yield* finish("failed", `${read.code}: ${read.message}`);
      connection = read.value ?? undefined;
    }
    if (!connection) return yield* finish("skipped", "The connection does not exist in Azure.");
    connection = armConnectionOf(connection);

    progress({ step: "recording" });
    const recorded = yield* callActivity(context, ActivityNames.recordRequest, {
      instanceId,
      run,
      connectionId: input.connectionId,
      source: input.source,
      observedAt: input.observedAt,
      ...(input.eventId ? { eventId: input.eventId } : {}),
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
      at: now(),
    });
    if (!recorded.ok) return yield* finish("failed", `${recorded.code}: ${recorded.message}`);
    // A request's age counts from when we first saw it (older instances' record step returned nothing).
    const firstSeenAt = recorded.value?.firstSeenAt ?? now();
    if (connection.armStatus !== "Pending") {
      return yield* finish("skipped", `The connection is already ${connection.armStatus}; nothing was written.`, {
        azureStatus: connection.armStatus,
      });
    }

    // A second pass only when the approving write found the quota used up by concurrent approvals: policy then
    // judges again with the reservations as they are (and sends the request to a person).
    for (let pass = 0; ; pass++) {
      const passRun = pass === 0 ? run : `${run}#${pass}`;
      progress({ step: "resolving-tenant" });
      const tenant = yield* callActivity(context, ActivityNames.resolveTenant, {
        instanceId,
        run: passRun,
        connection,
        ...(input.claimsTenantId ? { claimsTenantId: input.claimsTenantId } : {}),
        at: now(),
      });
      tenantId = tenant?.tenantId;
      const request = toConnectionRequest(connection, input.source, input.observedAt, tenant?.tenantId);

      progress({ step: "evaluating-policy" });
      // Policy judges ARM's state as the step reads it, and when policy decides alone the same step writes the
      // verdict right after that read: one read is both the decision's and the write's.
      const decided = yield* callActivity(context, ActivityNames.decide, {
        instanceId,
        run: passRun,
        request,
        ...(tenant ? { tenant } : {}),
        now: now(),
        apply: { firstSeenAt },
      });
      if (!decided.ok) {
        if (decided.code === PermanentCodes.quotaExhausted && pass === 0) continue;
        return yield* finish(refusedState(decided.code), `${decided.code}: ${decided.message}`);
      }
      const { written, ...judged } = decided.value;
      decision = judged;

      const expiresAt = decision.maxPendingAge ? pendingExpiresAt(firstSeenAt, decision.maxPendingAge) : undefined;
      let final: FinalDecision;
      if (written) {
        // Judged and written in one step on one read: the verdict stands whatever time the replay clock shows now.
        final = {
          verdict: decision.verdict === "approve" ? "approve" : "reject",
          actor: `policy:${decision.ruleId}`,
          reason: decision.reason,
        };
      } else if (expiresAt !== undefined && expiresAt <= context.df.currentUtcDateTime.getTime()) {
        final = yield* expire(context, request.connectionId, decision, passRun, 0);
      } else if (decision.verdict === "review") {
        final = yield* awaitApproval(context, request, decision, passRun, tenant ?? undefined, expiresAt);
      } else {
        final = { verdict: decision.verdict, actor: `policy:${decision.ruleId}`, reason: decision.reason };
      }

      progress({ step: "applying-decision", verdict: decision.verdict, ruleId: decision.ruleId });
      const status = final.verdict === "approve" ? "Approved" : "Rejected";
      // Written by the decision step already, or (a person, an expiry, an older instance's history) written now
      // after a read of its own: time passed since policy's read.
      const applied: StepResult<ArmConnection> = written
        ? { ok: true, value: written }
        : yield* callActivity(context, ActivityNames.applyDecision, {
            instanceId,
            run: passRun,
            connectionId: input.connectionId,
            status,
            description: final.description ?? describeDecision(final, decision),
            actor: final.actor,
            judged: {
              ...(request.privateEndpointId ? { privateEndpointId: request.privateEndpointId } : {}),
              ...(request.consumerSubscriptionId ? { consumerSubscriptionId: request.consumerSubscriptionId } : {}),
              ...(tenantId ? { tenantId } : {}),
              ...(request.requestMessage !== undefined ? { requestMessage: request.requestMessage } : {}),
            },
            overQuotaAllowed: decision.verdict === "review",
            at: now(),
          });
      if (!applied.ok && applied.code === PermanentCodes.quotaExhausted && pass === 0) continue;
      if (!applied.ok) {
        return yield* finish(refusedState(applied.code), `${applied.code}: ${applied.message}`, {
          decidedBy: final.actor,
        });
      }
      approvedInArm = final.verdict === "approve";

      let dns: RegisterDnsResult | undefined;
      if (final.verdict === "approve") {
        progress({ step: "registering-dns", verdict: decision.verdict, ruleId: decision.ruleId });
        try {
          dns = yield* callActivity(context, ActivityNames.registerDns, {
            instanceId,
            run,
            connection: applied.value,
            ...(input.observed?.endpoint ? { endpoint: input.observed.endpoint } : {}),
            ...(tenantId ? { tenantId } : {}),
            at: now(),
          });
        } catch (error) {
          dns = { records: [], note: `DNS registration failed after retries: ${message(error)}` };
        }
      }
      const outcome = yield* finish(final.verdict === "approve" ? "approved" : "rejected", final.reason, {
        azureStatus: status,
        decidedBy: final.actor,
        ...(dns ? { dnsRecords: dns.records } : {}),
        ...(dns?.note ? { dnsNote: dns.note } : {}),
      });
      if (final.verdict !== "approve" || !decision.validFor) return outcome;
      return yield* holdApproval(context, { request, decision, tenant: tenant ?? undefined, run, outcome });
    }
  } catch (error) {
    // Retries exhausted. If the ARM write already approved, say so rather than "failed".
    const state: ReviewState = approvedInArm ? "approved" : "failed";
    const reason = approvedInArm
      ? `Approved in Azure, but recording failed: ${message(error)}`
      : `Stopped without approving: ${message(error)}`;
    try {
      return yield* finish(state, reason);
    } catch {
      progress({ step: "done", state });
      return { connectionId: input.connectionId, state, reason };
    }
  }
}

/** How long an intake path's read stands in for the review's own first read (the write re-reads regardless). */
export const OBSERVED_FRESH_MS = 5 * 60_000;

/** The connection intake read, if it is this connection, Pending-or-not as read, and fresh by the replay clock. */
export function freshObservedConnection(input: ReviewInput, now: Date): ArmConnection | undefined {
  const observed = input.observed;
  const connection = observed?.connection;
  if (!observed || !connection || !sameArmId(connection.connectionId, input.connectionId)) return undefined;
  const age = now.getTime() - Date.parse(observed.at);
  return Number.isFinite(age) && age >= 0 && age <= OBSERVED_FRESH_MS ? connection : undefined;
}

function* awaitApproval(
  context: WorkflowContext,
  request: ConnectionRequest,
  decision: PolicyDecision,
  run: string,
  tenant: Tenant | undefined,
  expiresAt: number | undefined,
): WorkflowGenerator<FinalDecision> {
  const instanceId = context.df.instanceId;
  const review = decision.review ?? { approvers: [], deadline: "PT48H", reminders: [], onDeadline: "reject" as const };
  const startMs = context.df.currentUtcDateTime.getTime();
  const deadline = new Date(startMs + durationToMs(review.deadline));
  // The request's maximum Pending age ends the wait when it comes before the deadline.
  const end = Math.min(deadline.getTime(), expiresAt ?? Infinity);
  const notices: { at: number; kind: "reminder" | "escalation" }[] = [
    ...review.reminders.map((r) => ({ at: startMs + durationToMs(r), kind: "reminder" as const })),
    ...(review.escalation
      ? [{ at: startMs + durationToMs(review.escalation.after), kind: "escalation" as const }]
      : []),
  ]
    .filter((n) => n.at > startMs && n.at < end)
    .sort((a, b) => a.at - b.at);
  const at = (): string => context.df.currentUtcDateTime.toISOString();
  const approvers: string[] = [];
  const waiting = (): void =>
    context.df.setCustomStatus({
      step: "awaiting-approval",
      verdict: "review",
      ruleId: decision.ruleId,
      deadline: deadline.toISOString(),
      approvers: [...approvers],
      onDeadline: review.onDeadline,
    } satisfies ReviewProgress);
  const ask = function* (
    kind: "request" | "reminder" | "escalation",
    sequence: number,
  ): WorkflowGenerator<RequestApprovalResult> {
    return yield* callActivity(context, ActivityNames.requestApproval, {
      instanceId,
      run,
      request,
      decision,
      ...(tenant ? { tenant } : {}),
      deadline: deadline.toISOString(),
      kind,
      ...(kind === "escalation" && review.escalation ? { recipients: review.escalation.to } : {}),
      sequence,
      at: at(),
    });
  };
  const allow = (asked: RequestApprovalResult): void => {
    for (const a of asked.approvers) if (!approvers.some((b) => sameText(a, b))) approvers.push(a);
    waiting();
  };

  // Until the approvers have been asked, nobody may decide: the status says so instead of naming no one.
  context.df.setCustomStatus({
    step: "asking-approvers",
    verdict: "review",
    ruleId: decision.ruleId,
    deadline: deadline.toISOString(),
  } satisfies ReviewProgress);
  allow(yield* ask("request", 0));

  // One event task for the whole wait: a fresh waitForExternalEvent per loop would leave stale waiters
  // that swallow the event.
  let event: WorkflowTask = context.df.waitForExternalEvent(APPROVAL_EVENT);
  let sequence = 0;
  for (;;) {
    const next = notices[0];
    const timer = context.df.createTimer(new Date(next ? next.at : end));
    const winner = yield context.df.Task.any([event, timer]);
    sequence += 1;
    if (winner === event) {
      timer.cancel();
      const body = parseApprovalEvent(event.result);
      // Defence in depth: whoever can raise the event (a system key) still cannot decide as a non-approver.
      const allowed = body && approvers.some((a) => sameText(a, body.approver));
      if (body && allowed) {
        yield* callActivity(context, ActivityNames.recordHumanDecision, {
          instanceId,
          run,
          connectionId: request.connectionId,
          via: "event",
          channel: body.via ?? "event",
          decision: body.decision,
          actor: body.approver,
          reason: body.reason ?? "",
          sequence,
          at: at(),
        });
        return {
          verdict: body.decision,
          actor: body.approver,
          reason: body.reason
            ? `${body.decision} by ${body.approver}: ${body.reason}`
            : `${body.decision} by ${body.approver}`,
          ...(body.reason ? { note: body.reason } : {}),
        };
      }
      yield* callActivity(context, ActivityNames.recordHumanDecision, {
        instanceId,
        run,
        connectionId: request.connectionId,
        via: body ? "refused" : "invalid-event",
        actor: body?.approver ?? "unknown",
        reason: body
          ? `${body.approver} is not among this review's approvers (${approvers.join(", ") || "none"})`
          : "the body needs decision (approve|reject) and approver",
        sequence,
        at: at(),
      });
      event = context.df.waitForExternalEvent(APPROVAL_EVENT);
      continue;
    }
    if (next) {
      notices.shift();
      const asked = yield* ask(next.kind, sequence);
      if (next.kind === "escalation") allow(asked);
      continue;
    }
    if (end < deadline.getTime()) return yield* expire(context, request.connectionId, decision, run, sequence);
    const outcome: Verdict = review.onDeadline;
    const reason = `No decision by ${deadline.toISOString()}; the policy's onDeadline says ${outcome}.`;
    yield* callActivity(context, ActivityNames.recordHumanDecision, {
      instanceId,
      run,
      connectionId: request.connectionId,
      via: "deadline",
      decision: outcome,
      actor: `policy:${decision.ruleId}`,
      reason,
      sequence,
      at: at(),
    });
    return { verdict: review.onDeadline, actor: `policy:${decision.ruleId}`, reason };
  }
}

/** The request waited longer than the policy's maximum Pending age: it is rejected, saying why and how to ask again. */
function* expire(
  context: WorkflowContext,
  connectionId: string,
  decision: PolicyDecision,
  run: string,
  sequence: number,
): WorkflowGenerator<FinalDecision> {
  const maxAge = decision.maxPendingAge ?? "";
  const reason = `Pending longer than the maximum age ${maxAge} since we first saw it; rejected as expired.`;
  yield* callActivity(context, ActivityNames.recordHumanDecision, {
    instanceId: context.df.instanceId,
    run,
    connectionId,
    via: "expired",
    decision: "reject",
    actor: `policy:${decision.ruleId}`,
    reason,
    sequence,
    at: context.df.currentUtcDateTime.toISOString(),
  });
  return {
    verdict: "reject",
    actor: `policy:${decision.ruleId}`,
    reason,
    description: pendingExpiredDescription(maxAge),
  };
}

/**
 * A time-bound approval (the rule's validFor): the review stays with the connection. Before the end the approvers
 * and the tenant are told; a renewal (RENEW_EVENT) starts a new period from its time; at the end the connection is
 * rejected in Azure (only if ARM still shows it Approved) and its DNS records, row and quota are removed.
 */
function* holdApproval(
  context: WorkflowContext,
  held: {
    request: ConnectionRequest;
    decision: PolicyDecision;
    tenant: Tenant | undefined;
    run: string;
    outcome: ReviewOutcome;
  },
): WorkflowGenerator<ReviewOutcome> {
  const { request, decision, run } = held;
  const instanceId = context.df.instanceId;
  const connectionId = request.connectionId;
  const validFor = decision.validFor ?? "";
  const at = (): string => context.df.currentUtcDateTime.toISOString();
  let sequence = 0;
  let window = approvalWindow(context.df.currentUtcDateTime.getTime(), validFor);
  let noticed = false;
  const startPeriod = function* (renewal?: RenewEventBody): WorkflowGenerator<void> {
    const validUntil = new Date(window.endsAt).toISOString();
    yield* callActivity(context, ActivityNames.recordApprovalPeriod, {
      instanceId,
      run,
      connectionId,
      validUntil,
      ...(renewal ? { renewedBy: renewal.by, ...(renewal.reason ? { reason: renewal.reason } : {}) } : {}),
      sequence,
      at: at(),
    });
    context.df.setCustomStatus({
      step: "approved-until",
      verdict: decision.verdict,
      ruleId: decision.ruleId,
      state: "approved",
      validUntil,
    } satisfies ReviewProgress);
  };
  yield* startPeriod();

  let renew: WorkflowTask = context.df.waitForExternalEvent(RENEW_EVENT);
  for (;;) {
    const timer = context.df.createTimer(new Date(noticed ? window.endsAt : window.noticeAt));
    const winner = yield context.df.Task.any([renew, timer]);
    sequence += 1;
    if (winner === renew) {
      timer.cancel();
      const body = parseRenewEvent(renew.result);
      renew = context.df.waitForExternalEvent(RENEW_EVENT);
      if (!body) continue;
      window = approvalWindow(context.df.currentUtcDateTime.getTime(), validFor);
      noticed = false;
      yield* startPeriod(body);
      continue;
    }
    if (!noticed) {
      noticed = true;
      yield* callActivity(context, ActivityNames.requestApproval, {
        instanceId,
        run,
        request,
        decision,
        ...(held.tenant ? { tenant: held.tenant } : {}),
        deadline: new Date(window.endsAt).toISOString(),
        kind: "expiring",
        sequence,
        at: at(),
      });
      continue;
    }
    break;
  }

  const ended = yield* callActivity(context, ActivityNames.endApproval, {
    instanceId,
    run,
    connectionId,
    description: approvalEndedDescription(window.endsAt),
    at: at(),
  });
  if (ended.outcome === "rejected") {
    const targets = yield* callActivity(context, ActivityNames.findEndpointConnections, {
      connectionId,
      reason: "approval period ended",
      observedAt: at(),
    });
    for (const target of targets) {
      yield* callActivity(context, ActivityNames.removeDns, { instanceId, target, at: at() });
    }
  }
  yield* callActivity(context, ActivityNames.recordApprovalEnd, {
    instanceId,
    run,
    connectionId,
    result: ended,
    at: at(),
  });
  const state: ReviewState = ended.outcome === "rejected" ? "removed" : held.outcome.state;
  const reason = ended.outcome === "rejected" ? "The approval period ended and was not renewed." : held.outcome.reason;
  context.df.setCustomStatus({ step: "done", state } satisfies ReviewProgress);
  return { ...held.outcome, state, reason };
}

/** A renewal names who renewed (checked by the API: Approver or Admin); anything else is ignored. */
export function parseRenewEvent(raw: unknown): RenewEventBody | undefined {
  const value: unknown = typeof raw === "string" ? safeJson(raw) : raw;
  if (typeof value !== "object" || value === null) return undefined;
  const body = value as Record<string, unknown>;
  if (typeof body.by !== "string" || body.by.trim() === "") return undefined;
  return {
    by: body.by.trim().slice(0, 256),
    ...(typeof body.reason === "string" && body.reason.trim() ? { reason: body.reason.trim().slice(0, 500) } : {}),
  };
}

function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Accepts only a well-formed decision; anything else is ignored (fail closed) and the wait goes on. */
export function parseApprovalEvent(raw: unknown): ApprovalEventBody | undefined {
  const value: unknown = typeof raw === "string" ? safeJson(raw) : raw;
  if (typeof value !== "object" || value === null) return undefined;
  const body = value as Record<string, unknown>;
  if (body.decision !== "approve" && body.decision !== "reject") return undefined;
  if (typeof body.approver !== "string" || body.approver.trim() === "") return undefined;
  const via = DECISION_CHANNELS.find((c) => c === body.via);
  return {
    decision: body.decision,
    approver: body.approver.trim().slice(0, 256),
    ...(typeof body.reason === "string" ? { reason: body.reason.slice(0, 1000) } : {}),
    ...(via ? { via } : {}),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Decided by someone else, or deleted, while we read or waited: nothing was written, as it should be. */
function refusedState(code: string): ReviewState {
  return code === PermanentCodes.notPending || code === PermanentCodes.notFound ? "skipped" : "failed";
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
