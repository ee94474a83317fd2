import { DomainError } from "../domain/errors";
import { parseArmId, sameArmId, tryParseArmId } from "../domain/arm-id";
import { evaluatePolicy, type PolicyDecision } from "../domain/policy";
import type { ConnectionRequest } from "../domain/connection";
import { pendingExpiresAt } from "../domain/stale";
import type { Tenant } from "../domain/tenant";
import type { ArmConnection } from "../ports/connection-gateway.port";
import { PermanentCodes, PermanentError } from "../ports/errors";
import type { PolicySource } from "../ports/policy-source.port";
import {
  runOf,
  type ActivityHandlers,
  type ApplyDecisionInput,
  type DecideInput,
  type DecideResult,
  type JudgedConnection,
} from "./contracts";
import { ActivityNames, type ReviewActivityName } from "./names";
import { sendApprovalNotice, type ApprovalNoticePorts } from "./approval-notices";
import { AUTOPILOT, step } from "./activity-step";
import { armConnectionOf } from "./recorded-connection";
import { toConnectionRequest } from "./connection-request";
import { describeDecision } from "./decision-description";
import { registerConnectionDns, type DnsRegistrationPorts } from "./dns-registration";

export interface ReviewActivityPorts extends DnsRegistrationPorts {
  approval: ApprovalNoticePorts;
  policy: PolicySource;
}

/**
 * The activities of the connection review, bound to their ports. Each is idempotent: inputs carry the
 * orchestration's time and instance id, so a retried or repeated activity writes the same rows and audit step ids.
 */
export function createReviewActivities(ports: ReviewActivityPorts): ActivityHandlers<ReviewActivityName> {
  const { gateway, bookkeeping, policy } = ports;

  /** The tenant record that owns a subscription, with its usage taken from the quota reservations. */
  const tenantOfSubscription = async (subscriptionId: string): Promise<Tenant | undefined> => {
    const tenant = await bookkeeping.findTenantBySubscription(subscriptionId);
    return tenant ? { ...tenant, usage: await bookkeeping.quotaUsage(tenant.tenantId) } : undefined;
  };

  /**
   * Policy judged an endpoint, a subscription, a tenant and a request message; ARM must show the same endpoint and
   * message now, and our tenant table must give the same tenant for its subscription. Returns that tenant (ARM- and table-derived).
   */
  const assertJudgedIsCurrent = async (
    current: ArmConnection,
    judged: ApplyDecisionInput["judged"],
  ): Promise<Tenant | undefined> => {
    const endpoint = current.privateEndpointId ? tryParseArmId(current.privateEndpointId) : undefined;
    const tenant = endpoint ? await tenantOfSubscription(endpoint.subscriptionId) : undefined;
    const problems = [
      !sameOptional(judged.privateEndpointId, current.privateEndpointId, sameArmId) &&
        `endpoint ${judged.privateEndpointId ?? "none"} was judged, ARM shows ${current.privateEndpointId ?? "none"}`,
      !sameOptional(judged.consumerSubscriptionId, endpoint?.subscriptionId) &&
        `subscription ${judged.consumerSubscriptionId ?? "none"} was judged, ARM shows ${endpoint?.subscriptionId ?? "none"}`,
      !sameOptional(judged.tenantId, tenant?.tenantId) &&
        `tenant ${judged.tenantId ?? "none"} was judged, the subscription belongs to ${tenant?.tenantId ?? "no known tenant"}`,
      (judged.requestMessage ?? "") !== (current.requestMessage ?? "") &&
        "the request message policy judged is not the one ARM shows",
    ].filter((p): p is string => typeof p === "string");
    if (problems.length > 0) {
      throw new PermanentError(
        PermanentCodes.mismatch,
        `What policy judged is not what Azure shows (${problems.join("; ")}); nothing was written.`,
      );
    }
    return tenant;
  };

  const auditWrite = (input: StatusWrite): Promise<boolean> =>
    bookkeeping.appendAudit({
      connectionId: input.connectionId,
      stepId: `${runOf(input)}:arm-${input.status}`,
      at: input.at,
      kind: "arm-write",
      actor: input.actor,
      message: `Set ${input.status}: ${input.description}`,
    });

  /**
   * The write itself, on a connection just read Pending in the same activity: an approval first reserves a unit of
   * the tenant's quota (given back when the write fails), then ARM is written and the write audited.
   */
  const writeStatus = async (
    input: StatusWrite,
    current: ArmConnection,
    tenant: Tenant | undefined,
    overQuotaAllowed: boolean,
  ): Promise<ArmConnection> => {
    const reserved = input.status === "Approved" && tenant ? tenant : undefined;
    if (reserved) {
      const limit = overQuotaAllowed ? undefined : reserved.quota;
      const reservation = await bookkeeping.reserveQuota(reserved.tenantId, input.connectionId, limit);
      if (!reservation.reserved) {
        throw new PermanentError(
          PermanentCodes.quotaExhausted,
          `Tenant ${reserved.tenantId} has used its quota of ${limit}; nothing was written.`,
        );
      }
    }
    let written: ArmConnection;
    try {
      written = await gateway.setConnectionStatus(input.connectionId, input.status, input.description);
    } catch (error) {
      // The write did not happen: the unit of quota goes back (a retry reserves it again).
      if (reserved) await bookkeeping.releaseQuota(reserved.tenantId, input.connectionId);
      throw error;
    }
    // A long-running write returns no body: what we read a moment ago plus the status ARM confirmed.
    const after: ArmConnection = {
      ...current,
      armStatus: written.armStatus,
      ...(written.description !== undefined ? { description: written.description } : {}),
      ...(written.privateEndpointId ? { privateEndpointId: written.privateEndpointId } : {}),
      ...(written.groupIds.length > 0 ? { groupIds: written.groupIds } : {}),
    };
    delete after.requestMessage;
    await auditWrite(input);
    return after;
  };

  const loadPolicy = async () => {
    try {
      return await policy.load();
    } catch (error) {
      if (error instanceof PermanentError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new PermanentError(PermanentCodes.policyUnavailable, `The policy could not be loaded: ${why}`);
    }
  };

  /** Policy's verdict on a request, recorded on the row and in the audit (with the trace and what the verdict says). */
  const judge = async (
    input: DecideInput,
    request: ConnectionRequest,
    tenant: Tenant | undefined,
  ): Promise<PolicyDecision> => {
    // Judged on a full read: its group ids (a Storage or Key Vault connection's come from its endpoint) are the row's.
    const groups = input.apply && request.groupIds.length > 0 ? { groupIds: request.groupIds } : {};
    const decision = evaluatePolicy(await loadPolicy(), {
      request,
      ...(tenant ? { tenant } : {}),
      now: input.now,
    });
    const { trace, ...verdict } = decision;
    await bookkeeping.saveConnection({
      connectionId: request.connectionId,
      verdict: decision.verdict,
      ruleId: decision.ruleId,
      reason: decision.reason,
      policyVersion: decision.policyVersion,
      ...groups,
      ...(decision.verdict === "review" ? { state: "awaiting-approval" as const } : {}),
      updatedAt: input.now,
    });
    await bookkeeping.appendAudit({
      connectionId: request.connectionId,
      stepId: `${runOf(input)}:decision`,
      at: input.now,
      kind: "decision",
      actor: `policy:${decision.ruleId}`,
      message: `Policy ${decision.policyVersion} says ${decision.verdict}: ${decision.reason}`,
      data: { trace, decision: verdict },
    });
    return decision;
  };

  /**
   * A retried decide-and-write step finds ARM no longer Pending: when ARM shows the very status and description this
   * step's recorded decision wrote, that write was ours and is done; anything else was decided by someone else.
   */
  const ownEarlierWrite = async (input: DecideInput, current: ArmConnection): Promise<DecideResult | undefined> => {
    const audit = await bookkeeping.listAudit(input.request.connectionId);
    const recorded = audit.find((e) => e.stepId === `${runOf(input)}:decision`)?.data;
    const decision = recorded?.decision as Omit<PolicyDecision, "trace"> | undefined;
    if (!decision || decision.verdict === "review") return undefined;
    const write = policyWrite(input, decision);
    if (current.armStatus !== write.status || current.description !== write.description) return undefined;
    await auditWrite(write);
    // Stryker disable next-line OptionalChaining: a decision was read from `recorded`, so it is there.
    const trace = Array.isArray(recorded?.trace) ? (recorded.trace as PolicyDecision["trace"]) : [];
    return { ...decision, trace, written: current };
  };

  return {
    async [ActivityNames.recordRequest](input) {
      return step(async () => {
        const providerResourceId = parseArmId(input.connectionId).parent?.id;
        if (!providerResourceId) {
          throw new DomainError("CONNECTION_ID_INVALID", "The id is not a private endpoint connection id.");
        }
        // A new review never overwrites a decided state here; the outcome step does that once the review decides.
        const recorded = await bookkeeping.saveConnection({
          connectionId: input.connectionId,
          ifNew: { state: "received", providerResourceId },
          instanceId: input.instanceId,
          source: input.source,
          updatedAt: input.at,
        });
        await bookkeeping.appendAudit({
          connectionId: input.connectionId,
          stepId: `${runOf(input)}:signal`,
          at: input.at,
          kind: "signal",
          actor: input.requestedBy ?? input.source,
          message: `Review requested from ${input.source}.`,
          data: { eventId: input.eventId ?? null, observedAt: input.observedAt },
        });
        // ARM keeps no creation time: a request's age counts from the row's creation, when we first saw it.
        return { firstSeenAt: recorded.createdAt };
      });
    },

    async [ActivityNames.readConnection](input) {
      return step(async () => (await gateway.getConnection(input.connectionId)) ?? null);
    },

    async [ActivityNames.resolveTenant](input) {
      const connection = armConnectionOf(input.connection);
      const endpoint = connection.privateEndpointId ? tryParseArmId(connection.privateEndpointId) : undefined;
      // The tenant is whoever owns the endpoint's subscription as ARM reports it; a signal's claim decides nothing.
      const tenant = endpoint ? await tenantOfSubscription(endpoint.subscriptionId) : undefined;
      await bookkeeping.saveConnection({
        connectionId: connection.connectionId,
        providerResourceType: connection.providerResourceType,
        azureStatus: connection.armStatus,
        groupIds: connection.groupIds,
        ...(connection.privateEndpointId ? { privateEndpointId: connection.privateEndpointId } : {}),
        ...(endpoint ? { consumerSubscriptionId: endpoint.subscriptionId } : {}),
        ...(tenant ? { tenantId: tenant.tenantId } : {}),
        updatedAt: input.at,
      });
      if (input.claimsTenantId && input.claimsTenantId.toLowerCase() !== tenant?.tenantId.toLowerCase()) {
        await bookkeeping.appendAudit({
          connectionId: connection.connectionId,
          stepId: `${runOf(input)}:claims`,
          at: input.at,
          kind: "signal",
          actor: AUTOPILOT,
          message: `The signal claimed tenant ${input.claimsTenantId}; ARM's subscription says ${tenant?.tenantId ?? "an unknown tenant"}, which is what counts.`,
          data: { claimsTenantId: input.claimsTenantId },
        });
      }
      return tenant ?? null;
    },

    async [ActivityNames.decide](input) {
      return step(async (): Promise<DecideResult> => {
        // Inputs older instances scheduled: judge what the review read; its apply step writes.
        if (!input.apply) return judge(input, input.request, input.tenant);
        const connectionId = input.request.connectionId;
        // The one read both jobs rest on: policy judges exactly this state, and it is what the write follows.
        const current = await gateway.getConnection(connectionId);
        if (!current) {
          throw new PermanentError(PermanentCodes.notFound, `The connection ${connectionId} no longer exists.`);
        }
        if (current.armStatus !== "Pending") {
          const ours = await ownEarlierWrite(input, current);
          if (ours) return ours;
          throw new PermanentError(
            PermanentCodes.notPending,
            `The connection is ${current.armStatus}, not Pending; it was left as it is.`,
          );
        }
        // The review recorded the request and its tenant from what it was told: ARM must show the same now.
        const tenant = await assertJudgedIsCurrent(current, judgedOf(input.request, input.tenant));
        const request = toConnectionRequest(current, input.request.source, input.request.observedAt, tenant?.tenantId);
        const decision = await judge(input, request, tenant);
        if (decision.verdict === "review" || expired(decision, input.apply.firstSeenAt, input.now)) return decision;
        const written = await writeStatus(policyWrite(input, decision), current, tenant, false);
        return { ...decision, written };
      });
    },

    async [ActivityNames.requestApproval](input) {
      return sendApprovalNotice(ports.approval, bookkeeping, input);
    },

    async [ActivityNames.recordHumanDecision](input) {
      await bookkeeping.appendAudit({
        connectionId: input.connectionId,
        stepId: `${runOf(input)}:human-${input.via}-${input.sequence}`,
        at: input.at,
        kind: "decision",
        actor: input.actor,
        message:
          input.via === "invalid-event" || input.via === "refused"
            ? `An approval event was ignored: ${input.reason}`
            : `${input.decision ?? "no decision"} (${input.via}${input.channel ? ` via ${input.channel}` : ""}): ${input.reason}`,
        ...(input.channel ? { data: { channel: input.channel, decision: input.decision ?? null } } : {}),
      });
      return null;
    },

    async [ActivityNames.applyDecision](input) {
      return step(async () => {
        // Re-read right before the write (status only: one ARM call), so a connection decided by hand or
        // deleted while we waited is never overwritten, and what policy judged is what ARM has.
        const current = await gateway.getConnection(input.connectionId, { withProviderResource: false });
        if (!current) {
          throw new PermanentError(PermanentCodes.notFound, `The connection ${input.connectionId} no longer exists.`);
        }
        // Idempotent: a repeated call after a successful write finds the target status and writes nothing.
        if (current.armStatus === input.status) {
          await auditWrite(input);
          return current;
        }
        if (current.armStatus !== "Pending") {
          throw new PermanentError(
            PermanentCodes.notPending,
            `The connection is ${current.armStatus}, not Pending; it was left as it is.`,
          );
        }
        const tenant = await assertJudgedIsCurrent(current, input.judged);
        return writeStatus(input, current, tenant, input.overQuotaAllowed);
      });
    },

    async [ActivityNames.registerDns](input) {
      return registerConnectionDns(ports, input);
    },

    async [ActivityNames.recordOutcome](input) {
      const existing = await bookkeeping.getConnection(input.connectionId);
      // No row means the review never saw the connection in ARM: nothing that ARM does not have is recorded.
      if (!existing) return null;
      // "skipped" must not hide an earlier decision of ours (e.g. a re-review of a connection we approved).
      const keepState = input.state === "skipped" && !["received", "awaiting-approval"].includes(existing.state);
      await bookkeeping.saveConnection({
        connectionId: input.connectionId,
        ...(keepState ? {} : { state: input.state }),
        ...(input.azureStatus ? { azureStatus: input.azureStatus } : {}),
        ...(input.verdict ? { verdict: input.verdict } : {}),
        ...(input.ruleId ? { ruleId: input.ruleId } : {}),
        ...(input.policyVersion ? { policyVersion: input.policyVersion } : {}),
        ...(keepState ? {} : { reason: input.reason }),
        ...(input.decidedBy ? { decidedBy: input.decidedBy } : {}),
        ...(input.dnsRecords ? { dnsRecords: input.dnsRecords } : {}),
        ...(input.dnsNote ? { dnsNote: input.dnsNote } : {}),
        updatedAt: input.at,
      });
      const tenantId = input.tenantId ?? existing.tenantId;
      // The approving write reserved the unit; a rejection gives back whatever the connection held.
      if (tenantId && input.state === "approved") await bookkeeping.reserveQuota(tenantId, input.connectionId);
      if (tenantId && input.state === "rejected") await bookkeeping.releaseQuota(tenantId, input.connectionId);
      await bookkeeping.appendAudit({
        connectionId: input.connectionId,
        stepId: `${runOf(input)}:outcome`,
        at: input.at,
        kind: input.state === "failed" ? "error" : "state",
        actor: input.decidedBy ?? AUTOPILOT,
        message: `Review ended ${input.state}: ${input.reason}`,
      });
      return null;
    },
  };
}

/** What an ARM write says and who it is audited as. */
type StatusWrite = Pick<
  ApplyDecisionInput,
  "instanceId" | "run" | "connectionId" | "status" | "description" | "actor" | "at"
>;

/** The write of a verdict policy reached alone: its description names the rule and the policy version. */
function policyWrite(input: DecideInput, decision: Pick<PolicyDecision, "verdict" | "ruleId" | "policyVersion">) {
  // Stryker disable next-line StringLiteral: any verdict but "approve" is written as Rejected and described so.
  const verdict = decision.verdict === "approve" ? "approve" : "reject";
  const actor = `policy:${decision.ruleId}`;
  return {
    instanceId: input.instanceId,
    ...(input.run ? { run: input.run } : {}),
    connectionId: input.request.connectionId,
    status: verdict === "approve" ? ("Approved" as const) : ("Rejected" as const),
    description: describeDecision({ verdict, actor }, decision),
    actor,
    at: input.now,
  };
}

/** The facts the review went on so far (endpoint, subscription, tenant, message), to hold against ARM. */
function judgedOf(request: ConnectionRequest, tenant: Tenant | undefined): JudgedConnection {
  return {
    ...(request.privateEndpointId ? { privateEndpointId: request.privateEndpointId } : {}),
    ...(request.consumerSubscriptionId ? { consumerSubscriptionId: request.consumerSubscriptionId } : {}),
    ...(tenant ? { tenantId: tenant.tenantId } : {}),
    // Stryker disable next-line ConditionalExpression: an absent message is compared as "", as an undefined one is.
    ...(request.requestMessage !== undefined ? { requestMessage: request.requestMessage } : {}),
  };
}

/** Past the maximum Pending age: the review rejects it as expired (its own description), not policy's verdict. */
function expired(decision: PolicyDecision, firstSeenAt: string, now: string): boolean {
  if (!decision.maxPendingAge) return false;
  return pendingExpiresAt(firstSeenAt, decision.maxPendingAge) <= Date.parse(now);
}

/** Both absent, or both present and equal (ids compare case-insensitively). */
function sameOptional(
  a: string | undefined,
  b: string | undefined,
  same: (x: string, y: string) => boolean = (x, y) => x.toLowerCase() === y.toLowerCase(),
): boolean {
  return a === undefined || b === undefined ? a === b : same(a, b);
}
