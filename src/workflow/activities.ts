import { DomainError } from "../domain/errors";
import { isWithinScopes, normaliseArmId, parseArmId, sameArmId, tryParseArmId } from "../domain/arm-id";
import { evaluatePolicy, type PolicyDecision } from "../domain/policy";
import { planDnsRecords } from "../domain/dns";
import type { Tenant } from "../domain/tenant";
import type { Bookkeeping, RecordedDnsRecord } from "../ports/bookkeeping.port";
import {
  withEndpointGroupIds,
  type ConnectionGateway,
  type ConnectionState,
  type PrivateEndpointInfo,
} from "../ports/connection-gateway.port";
import type { DnsRegistrar } from "../ports/dns-registrar.port";
import { PermanentCodes, PermanentError } from "../ports/errors";
import type { PolicySource } from "../ports/policy-source.port";
import type {
  ApplyDecisionInput,
  CleanupInput,
  CleanupTarget,
  ConfirmGoneInput,
  DecideInput,
  DeleteProviderConnectionInput,
  GoneVerdict,
  ListNotifiedConnectionsInput,
  RecordHumanDecisionInput,
  RecordOutcomeInput,
  RecordRemovalInput,
  RecordRequestInput,
  RegisterDnsInput,
  RegisterDnsResult,
  RemoveDnsInput,
  RequestApprovalInput,
  RequestApprovalResult,
  ResolvedEndpoint,
  ResolveEndpointInput,
  ResolveTenantInput,
  StepResult,
} from "./contracts";
import { runOf } from "./contracts";
import { ActivityNames } from "./names";
import { sendApprovalNotice, type ApprovalNoticePorts } from "./approval-notices";

export interface ActivityPorts {
  gateway: ConnectionGateway;
  dns: DnsRegistrar;
  bookkeeping: Bookkeeping;
  approval: ApprovalNoticePorts;
  policy: PolicySource;
  /** MANAGED_RESOURCE_IDS: provider resources, resource groups or subscriptions whose connections we manage. */
  managedScopes: readonly string[];
  /** Central zone and name template for Private Link Service records (PLS_DNS_ZONE, PLS_DNS_NAME_TEMPLATE). */
  privateLinkServiceDns?: { zone: string; nameTemplate: string };
}

const AUTOPILOT = "autopilot";

/** Permanent failures become values so the durable retry policy does not repeat them. */
async function step<T>(work: () => Promise<T>): Promise<StepResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof PermanentError || error instanceof DomainError) {
      return { ok: false, code: error.code, message: error.message };
    }
    throw error;
  }
}

/**
 * The activities of every workflow, bound to their ports. Each is idempotent: inputs carry the orchestration's
 * time and instance id, so a retried or repeated activity writes the same rows and the same audit step ids.
 */
export function createActivities(ports: ActivityPorts) {
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
    current: ConnectionState,
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
    async [ActivityNames.recordRequest](input: RecordRequestInput): Promise<StepResult<null>> {
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

    async [ActivityNames.readConnection](input: { connectionId: string }): Promise<StepResult<ConnectionState | null>> {
      return step(async () => (await gateway.getConnection(input.connectionId)) ?? null);
    },

    async [ActivityNames.resolveTenant](input: ResolveTenantInput): Promise<Tenant | null> {
      const { connection } = input;
      const endpoint = connection.privateEndpointId ? tryParseArmId(connection.privateEndpointId) : undefined;
      // The tenant is whoever owns the endpoint's subscription as ARM reports it; a signal's claim decides nothing.
      const tenant = endpoint ? await tenantOfSubscription(endpoint.subscriptionId) : undefined;
      await bookkeeping.saveConnection({
        connectionId: connection.connectionId,
        providerResourceType: connection.providerResourceType,
        azureStatus: connection.status,
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

    async [ActivityNames.decide](input: DecideInput): Promise<StepResult<PolicyDecision>> {
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

    async [ActivityNames.requestApproval](input: RequestApprovalInput): Promise<RequestApprovalResult> {
      return sendApprovalNotice(ports.approval, bookkeeping, input);
    },

    async [ActivityNames.recordHumanDecision](input: RecordHumanDecisionInput): Promise<null> {
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

    async [ActivityNames.applyDecision](input: ApplyDecisionInput): Promise<StepResult<ConnectionState>> {
      return step(async () => {
        // Re-read right before the write (status only: one ARM call), so a connection decided by hand or
        // deleted while we waited is never overwritten, and what policy judged is what ARM has.
        const current = await gateway.getConnection(input.connectionId, { withProviderResource: false });
        if (!current) {
          throw new PermanentError(PermanentCodes.notFound, `The connection ${input.connectionId} no longer exists.`);
        }
        // Idempotent: a repeated call after a successful write finds the target status and writes nothing.
        if (current.status === input.status) {
          await auditWrite(input);
          return current;
        }
        if (current.status !== "Pending") {
          throw new PermanentError(
            PermanentCodes.notPending,
            `The connection is ${current.status}, not Pending; it was left as it is.`,
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
        let written: ConnectionState;
        try {
          written = await gateway.setConnectionStatus(input.connectionId, input.status, input.description);
        } catch (error) {
          // The write did not happen: the unit of quota goes back (a retry reserves it again).
          if (reserved) await bookkeeping.releaseQuota(reserved.tenantId, input.connectionId);
          throw error;
        }
        // A long-running write returns no body: what we read a moment ago plus the status ARM confirmed.
        const after: ConnectionState = {
          ...current,
          status: written.status,
          ...(written.description !== undefined ? { description: written.description } : {}),
          ...(written.privateEndpointId ? { privateEndpointId: written.privateEndpointId } : {}),
          ...(written.groupIds.length > 0 ? { groupIds: written.groupIds } : {}),
        };
        delete after.requestMessage;
        await auditWrite(input);
        return after;
      });
    },

    async [ActivityNames.registerDns](input: RegisterDnsInput): Promise<RegisterDnsResult> {
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

    async [ActivityNames.recordOutcome](input: RecordOutcomeInput): Promise<null> {
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

    async [ActivityNames.confirmGone](input: ConfirmGoneInput): Promise<GoneVerdict> {
      const verdict = await judgeGone(gateway, input.target);
      if (!verdict.gone && (await bookkeeping.getConnection(input.target.connectionId))) {
        await bookkeeping.appendAudit({
          connectionId: input.target.connectionId,
          stepId: `${input.instanceId}:kept@${input.at}`,
          at: input.at,
          kind: "signal",
          actor: AUTOPILOT,
          message: `A signal said this connection is gone; nothing was removed: ${verdict.why}.`,
        });
      }
      return verdict;
    },

    async [ActivityNames.findEndpointConnections](input: CleanupInput): Promise<CleanupTarget[]> {
      const rows = input.privateEndpointId
        ? await bookkeeping.listConnections({ privateEndpointId: input.privateEndpointId, limit: 1000 })
        : input.connectionId
          ? [await bookkeeping.getConnection(input.connectionId)].filter((r) => r !== undefined)
          : [];
      const targets: CleanupTarget[] = rows.map((row) => ({
        connectionId: row.connectionId,
        ...(row.privateEndpointId ? { privateEndpointId: row.privateEndpointId } : {}),
        ...(row.tenantId ? { tenantId: row.tenantId } : {}),
        dnsRecords: (row.dnsRecords ?? [])
          .filter((r) => r.outcome === "created" || r.outcome === "already-ours")
          .map((r) => ({ zone: r.zone, name: r.name })),
      }));
      if (input.connectionId && targets.length === 0) {
        targets.push({ connectionId: input.connectionId, dnsRecords: [] });
      }
      return targets;
    },

    async [ActivityNames.removeDns](input: RemoveDnsInput): Promise<{ removed: number; kept: number }> {
      const { target } = input;
      let removed = 0;
      let kept = 0;
      if (!target.privateEndpointId) return { removed, kept };
      for (const record of target.dnsRecords) {
        const outcome = await dns.removeARecord(record.zone, record.name, target.privateEndpointId);
        if (outcome.outcome === "not-ours") kept += 1;
        else removed += 1;
        await bookkeeping.appendAudit({
          connectionId: target.connectionId,
          stepId: `${input.instanceId}:dns-remove-${record.zone}/${record.name}`,
          at: input.at,
          kind: "dns",
          actor: AUTOPILOT,
          message:
            outcome.outcome === "not-ours"
              ? `Kept ${record.name}.${record.zone}: ${outcome.detail}`
              : `Removed ${record.name}.${record.zone} (${outcome.outcome}).`,
        });
      }
      return { removed, kept };
    },

    async [ActivityNames.deleteProviderConnection](
      input: DeleteProviderConnectionInput,
    ): Promise<StepResult<"deleted" | "absent" | "kept">> {
      return step(async () => {
        const current = await gateway.getConnection(input.connectionId, { withProviderResource: false });
        if (!current) return "absent" as const;
        // Only a dead connection is removed, judged again on what ARM shows now: since the clean-up confirmed it
        // gone, the consumer may have re-created the endpoint, and the connection is alive again.
        const verdict = await judgeConnection(gateway, current, undefined);
        if (!verdict.gone) return "kept" as const;
        await gateway.deleteConnection(input.connectionId);
        await bookkeeping.appendAudit({
          connectionId: input.connectionId,
          stepId: `${input.instanceId}:arm-delete`,
          at: input.at,
          kind: "arm-write",
          actor: AUTOPILOT,
          message: `Deleted the ${current.status} connection on the provider side.`,
        });
        return "deleted" as const;
      });
    },

    async [ActivityNames.recordRemoval](input: RecordRemovalInput): Promise<null> {
      const { target } = input;
      // The row is marked removed only while ARM still shows the connection gone (it may have come back), unless
      // the delete step has just removed the dead connection itself.
      if (input.providerConnection !== "deleted" && !(await judgeGone(gateway, target)).gone) return null;
      const existing = await bookkeeping.getConnection(target.connectionId);
      if (existing) {
        await bookkeeping.saveConnection({
          connectionId: target.connectionId,
          state: "removed",
          reason: input.reason,
          ...(input.providerConnection === "deleted" || input.providerConnection === "absent"
            ? { azureStatus: "Disconnected" as const }
            : {}),
          dnsRecords: (existing.dnsRecords ?? []).map((r) =>
            r.outcome === "created" || r.outcome === "already-ours" ? { ...r, outcome: "removed" as const } : r,
          ),
          updatedAt: input.at,
        });
      }
      const tenantId = target.tenantId ?? existing?.tenantId;
      if (tenantId) await bookkeeping.releaseQuota(tenantId, target.connectionId);
      await bookkeeping.appendAudit({
        connectionId: target.connectionId,
        stepId: `${input.instanceId}:removed`,
        at: input.at,
        kind: "state",
        actor: AUTOPILOT,
        message: `Cleaned up: ${input.reason}`,
      });
      return null;
    },

    async [ActivityNames.listNotifiedConnections](
      input: ListNotifiedConnectionsInput,
    ): Promise<StepResult<ConnectionState[]>> {
      return step(async () => {
        if (!isWithinScopes(input.providerResourceId, ports.managedScopes)) return [];
        const wanted = new Set(input.connectionIds.map((id) => normaliseArmId(id)));
        const listed = await gateway.listConnections(input.providerResourceId);
        return listed.filter((c) => wanted.has(normaliseArmId(c.connectionId)));
      });
    },

    async [ActivityNames.resolveEndpoint](input: ResolveEndpointInput): Promise<StepResult<ResolvedEndpoint>> {
      return step(async () => {
        let endpoint: PrivateEndpointInfo | undefined;
        try {
          // NICs only when needed: the endpoint read is handed on to the reviews' DNS step.
          endpoint = await gateway.getPrivateEndpoint(input.privateEndpointId, { nics: "when-needed" });
          if (!endpoint) return { connections: [] };
        } catch (error) {
          if (!(error instanceof PermanentError)) throw error;
          endpoint = undefined; // unreadable: fall back to scanning every managed resource
        }
        const resources = endpoint
          ? endpoint.targets.map((t) => t.targetResourceId).filter((t) => isWithinScopes(t, ports.managedScopes))
          : (await Promise.all(ports.managedScopes.map((s) => gateway.listProviderResources(s))))
              .flat()
              .map((r) => r.id);
        const connections: ConnectionState[] = [];
        const unique = new Map(resources.map((r) => [r.toLowerCase(), r]));
        for (const resourceId of unique.values()) {
          for (const connection of await gateway.listConnections(resourceId)) {
            if (connection.privateEndpointId && sameArmId(connection.privateEndpointId, input.privateEndpointId)) {
              connections.push(endpoint ? withEndpointGroupIds(connection, endpoint) : connection);
            }
          }
        }
        const small = endpoint ? compactEndpoint(endpoint) : undefined;
        return { connections, ...(small ? { endpoint: small } : {}) };
      });
    },
  };
}

/** Audit step ids are per run (see RunScoped). */
/** Both absent, or both present and equal (ids compare case-insensitively). */
function sameOptional(
  a: string | undefined,
  b: string | undefined,
  same: (x: string, y: string) => boolean = (x, y) => x.toLowerCase() === y.toLowerCase(),
): boolean {
  return a === undefined || b === undefined ? a === b : same(a, b);
}

/**
 * Gone means ARM says so: the connection Disconnected, or the endpoint it references answers 404 (and the
 * connection, if still there, references no live endpoint). A live or unreadable endpoint keeps everything.
 */
export async function judgeGone(gateway: ConnectionGateway, target: CleanupTarget): Promise<GoneVerdict> {
  let connection: ConnectionState | undefined;
  try {
    connection = await gateway.getConnection(target.connectionId, { withProviderResource: false });
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return { gone: false, endpointGone: false, why: `the connection could not be read (${error.code})` };
  }
  return judgeConnection(gateway, connection, target.privateEndpointId);
}

/** judgeGone on a connection just read (undefined: ARM answered 404), with the endpoint we recorded for it. */
async function judgeConnection(
  gateway: ConnectionGateway,
  connection: ConnectionState | undefined,
  recordedEndpointId: string | undefined,
): Promise<GoneVerdict> {
  const keep = (why: string): GoneVerdict => ({ gone: false, endpointGone: false, why });
  if (connection?.status === "Disconnected") {
    return { gone: true, endpointGone: false, why: "ARM shows the connection Disconnected" };
  }
  if (connection && connection.status === "Unknown") return keep("ARM shows a status this app does not know");
  const endpointId = connection ? connection.privateEndpointId : recordedEndpointId;
  if (!endpointId) {
    return connection
      ? keep(`ARM shows the connection ${connection.status} with no endpoint to check`)
      : { gone: true, endpointGone: false, why: "ARM has no such connection and no endpoint was recorded" };
  }
  try {
    const endpoint = await gateway.getPrivateEndpoint(endpointId, { nics: "never" });
    if (endpoint) {
      return keep(
        connection
          ? `ARM shows the connection ${connection.status} and its endpoint alive`
          : "ARM shows the endpoint alive",
      );
    }
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return keep(`the endpoint could not be read (${error.code})`);
  }
  return { gone: true, endpointGone: true, why: "ARM answers 404 for the private endpoint" };
}

/** Activity inputs stay small: an endpoint with an unusual number of entries is not handed on (it is re-read). */
function compactEndpoint(endpoint: PrivateEndpointInfo): PrivateEndpointInfo | undefined {
  const entries = endpoint.targets.length + endpoint.customDnsConfigs.length + endpoint.nicIpConfigurations.length;
  return entries <= 64 ? endpoint : undefined;
}

export type Activities = ReturnType<typeof createActivities>;
