import { DomainError } from "../domain/errors";
import { parseArmId, sameArmId, tryParseArmId } from "../domain/arm-id";
import { evaluatePolicy } from "../domain/policy";
import { planDnsRecords } from "../domain/dns";
import type { Tenant } from "../domain/tenant";
import type { Bookkeeping, RecordedDnsRecord } from "../ports/bookkeeping.port";
import { withEndpointGroupIds, type ConnectionGateway, type ArmConnection } from "../ports/connection-gateway.port";
import type { DnsRegistrar } from "../ports/dns-registrar.port";
import { PermanentCodes, PermanentError } from "../ports/errors";
import type { PolicySource } from "../ports/policy-source.port";
import { runOf, type ActivityHandlers, type ApplyDecisionInput, type RegisterDnsResult } from "./contracts";
import { ActivityNames, type ReviewActivityName } from "./names";
import { sendApprovalNotice, type ApprovalNoticePorts } from "./approval-notices";
import { AUTOPILOT, step } from "./activity-step";
import { armConnectionOf } from "./recorded-connection";

export interface ReviewActivityPorts {
  gateway: ConnectionGateway;
  dns: DnsRegistrar;
  bookkeeping: Bookkeeping;
  approval: ApprovalNoticePorts;
  policy: PolicySource;
  /** Central zone and name template for Private Link Service records (PLS_DNS_ZONE, PLS_DNS_NAME_TEMPLATE). */
  privateLinkServiceDns?: { zone: string; nameTemplate: string };
}

/**
 * The activities of the connection review, bound to their ports. Each is idempotent: inputs carry the
 * orchestration's time and instance id, so a retried or repeated activity writes the same rows and audit step ids.
 */
export function createReviewActivities(ports: ReviewActivityPorts): ActivityHandlers<ReviewActivityName> {
  const { gateway, dns, bookkeeping, policy } = ports;

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

  const auditWrite = (input: ApplyDecisionInput): Promise<boolean> =>
    bookkeeping.appendAudit({
      connectionId: input.connectionId,
      stepId: `${runOf(input)}:arm-${input.status}`,
      at: input.at,
      kind: "arm-write",
      actor: input.actor,
      message: `Set ${input.status}: ${input.description}`,
    });

  return {
    async [ActivityNames.recordRequest](input) {
      return step(async () => {
        const providerResourceId = parseArmId(input.connectionId).parent?.id;
        if (!providerResourceId) {
          throw new DomainError("CONNECTION_ID_INVALID", "The id is not a private endpoint connection id.");
        }
        const existing = await bookkeeping.getConnection(input.connectionId);
        // A new review never overwrites a decided state here; the outcome step does that once the review decides.
        await bookkeeping.saveConnection({
          connectionId: input.connectionId,
          ...(existing ? {} : { state: "received" as const, providerResourceId }),
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
        return null;
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
      return step(async () => {
        let loaded;
        try {
          loaded = await policy.load();
        } catch (error) {
          if (error instanceof PermanentError) throw error;
          const why = error instanceof Error ? error.message : String(error);
          throw new PermanentError(PermanentCodes.policyUnavailable, `The policy could not be loaded: ${why}`);
        }
        const decision = evaluatePolicy(loaded, {
          request: input.request,
          ...(input.tenant ? { tenant: input.tenant } : {}),
          now: input.now,
        });
        await bookkeeping.saveConnection({
          connectionId: input.request.connectionId,
          verdict: decision.verdict,
          ruleId: decision.ruleId,
          reason: decision.reason,
          policyVersion: decision.policyVersion,
          ...(decision.verdict === "review" ? { state: "awaiting-approval" as const } : {}),
          updatedAt: input.now,
        });
        await bookkeeping.appendAudit({
          connectionId: input.request.connectionId,
          stepId: `${runOf(input)}:decision`,
          at: input.now,
          kind: "decision",
          actor: `policy:${decision.ruleId}`,
          message: `Policy ${decision.policyVersion} says ${decision.verdict}: ${decision.reason}`,
          data: { trace: decision.trace },
        });
        return decision;
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
        const reserved = input.status === "Approved" && tenant ? tenant : undefined;
        if (reserved) {
          const limit = input.overQuotaAllowed ? undefined : reserved.quota;
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
      });
    },

    async [ActivityNames.registerDns](input) {
      const { connection } = input;
      const audit = (suffix: string, message: string, data?: Record<string, unknown>) =>
        bookkeeping.appendAudit({
          connectionId: connection.connectionId,
          stepId: `${runOf(input)}:dns-${suffix}`,
          at: input.at,
          kind: "dns",
          actor: AUTOPILOT,
          message,
          ...(data ? { data } : {}),
        });
      const save = async (result: RegisterDnsResult): Promise<RegisterDnsResult> => {
        await bookkeeping.saveConnection({
          connectionId: connection.connectionId,
          dnsRecords: result.records,
          ...(result.note ? { dnsNote: result.note } : {}),
          updatedAt: input.at,
        });
        return result;
      };
      if (!connection.privateEndpointId) {
        const note = "ARM reports no private endpoint for this connection; no DNS records were written.";
        await audit("none", note);
        return save({ records: [], note });
      }
      let endpoint =
        input.endpoint && sameArmId(input.endpoint.id, connection.privateEndpointId) ? input.endpoint : undefined;
      try {
        endpoint ??= await gateway.getPrivateEndpoint(connection.privateEndpointId, { nics: "when-needed" });
      } catch (error) {
        if (!(error instanceof PermanentError)) throw error;
        endpoint = undefined;
      }
      if (!endpoint) {
        const note =
          "The private endpoint is not readable from here (another tenant's subscription): DNS is the consumer's.";
        await audit("consumer", note);
        return save({ records: [], note });
      }
      const pls = ports.privateLinkServiceDns;
      const isPls = connection.providerResourceType.toLowerCase() === "microsoft.network/privatelinkservices";
      let plan: ReturnType<typeof planDnsRecords>;
      try {
        plan = planDnsRecords({
          providerResourceType: connection.providerResourceType,
          groupIds: withEndpointGroupIds(connection, endpoint).groupIds,
          ...(endpoint.location ? { location: endpoint.location } : {}),
          endpoint: { customDnsConfigs: endpoint.customDnsConfigs, nicIpConfigurations: endpoint.nicIpConfigurations },
          ...(isPls && pls
            ? {
                privateLinkService: {
                  zone: pls.zone,
                  nameTemplate: pls.nameTemplate,
                  vars: {
                    tenant: (input.tenantId ?? "unknown").toLowerCase(),
                    service: parseArmId(connection.providerResourceId).name ?? "service",
                    endpoint: parseArmId(connection.privateEndpointId).name ?? "endpoint",
                  },
                },
              }
            : {}),
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const note = `No DNS plan: ${error.message}`;
        await audit("plan", note);
        return save({ records: [], note });
      }
      const records: RecordedDnsRecord[] = [];
      for (const planned of plan.records) {
        const outcome = await dns.ensureARecord(
          { zone: planned.zone, name: planned.name, ipAddresses: planned.ipAddresses },
          { privateEndpointId: connection.privateEndpointId, connectionId: connection.connectionId },
        );
        const recorded: RecordedDnsRecord = {
          zone: planned.zone,
          name: planned.name,
          ipAddresses: planned.ipAddresses,
          outcome: outcome.outcome,
          ...(outcome.outcome === "conflict" ? { detail: outcome.detail } : {}),
        };
        records.push(recorded);
        await audit(
          `${planned.zone}/${planned.name}`,
          outcome.outcome === "conflict"
            ? `DNS conflict on ${planned.fqdn}: ${outcome.detail}`
            : `A ${planned.fqdn} → ${planned.ipAddresses.join(", ")} (${outcome.outcome}).`,
        );
      }
      const note = plan.unmatched.length ? `No central zone for: ${plan.unmatched.join(", ")}.` : undefined;
      return save({ records, ...(note ? { note } : {}) });
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

/** Both absent, or both present and equal (ids compare case-insensitively). */
function sameOptional(
  a: string | undefined,
  b: string | undefined,
  same: (x: string, y: string) => boolean = (x, y) => x.toLowerCase() === y.toLowerCase(),
): boolean {
  return a === undefined || b === undefined ? a === b : same(a, b);
}
