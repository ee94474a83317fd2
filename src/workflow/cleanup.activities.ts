import type { Bookkeeping } from "../ports/bookkeeping.port";
import type { ConnectionGateway, ArmConnection } from "../ports/connection-gateway.port";
import type { DnsRegistrar } from "../ports/dns-registrar.port";
import { PermanentError } from "../ports/errors";
import type { ActivityHandlers, CleanupTarget, GoneVerdict } from "./contracts";
import { ActivityNames, type CleanupActivityName } from "./names";
import { AUTOPILOT, step } from "./activity-step";

export interface CleanupActivityPorts {
  gateway: ConnectionGateway;
  dns: DnsRegistrar;
  bookkeeping: Bookkeeping;
}

/**
 * The activities of the clean-up: each acts only on what ARM shows right before it acts (see judgeGone), and is
 * idempotent per instance id.
 */
export function createCleanupActivities(ports: CleanupActivityPorts): ActivityHandlers<CleanupActivityName> {
  const { gateway, bookkeeping } = ports;

  return {
    async [ActivityNames.confirmGone](input) {
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

    async [ActivityNames.findEndpointConnections](input) {
      const rows = input.privateEndpointId
        ? await bookkeeping.listConnections({ privateEndpointId: input.privateEndpointId, limit: 1000 })
        : input.connectionId
          ? [await bookkeeping.getConnection(input.connectionId)].filter((r) => r !== undefined)
          : [];
      const targets: CleanupTarget[] = rows.map((row) => ({
        connectionId: row.connectionId,
        ...(row.privateEndpointId ? { privateEndpointId: row.privateEndpointId } : {}),
        ...(row.tenantId ? { tenantId: row.tenantId } : {}),
        // Stryker disable next-line ArrayDeclaration: an element that is not a record has no outcome and is filtered out
        dnsRecords: (row.dnsRecords ?? [])
          .filter((r) => r.outcome === "created" || r.outcome === "already-ours")
          .map((r) => ({ zone: r.zone, name: r.name })),
      }));
      if (input.connectionId && targets.length === 0) {
        targets.push({ connectionId: input.connectionId, dnsRecords: [] });
      }
      return targets;
    },

    async [ActivityNames.removeDns](input) {
      const { target } = input;
      if (!target.privateEndpointId) return { removed: 0, kept: 0 };
      const kept = await removeOurDnsRecords(ports, {
        connectionId: target.connectionId,
        privateEndpointId: target.privateEndpointId,
        records: target.dnsRecords,
        at: input.at,
        stepId: (record) => `${input.instanceId}:dns-remove-${record.zone}/${record.name}`,
      });
      return { removed: target.dnsRecords.length - kept.size, kept: kept.size };
    },

    async [ActivityNames.deleteProviderConnection](input) {
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
          message: `Deleted the ${current.armStatus} connection on the provider side.`,
        });
        return "deleted" as const;
      });
    },

    async [ActivityNames.recordRemoval](input) {
      const { target } = input;
      // The row is marked removed only while ARM still shows the connection gone (it may have come back), unless
      // the delete step has just removed the dead connection itself.
      if (input.providerConnection !== "deleted" && !(await judgeGone(gateway, target)).gone) return null;
      const existing = await bookkeeping.getConnection(target.connectionId);
      // The unit of quota goes back before the row says removed: whoever reads `removed` sees the quota free too.
      const tenantId = target.tenantId ?? existing?.tenantId;
      if (tenantId) await bookkeeping.releaseQuota(tenantId, target.connectionId);
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
  };
}

/** One connection's A records to remove, with how each removal is audited. */
export interface DnsRemoval<R extends DnsRecordName> {
  connectionId: string;
  /** Only records this endpoint owns are removed (the registrar checks the record's metadata). */
  privateEndpointId: string;
  records: readonly R[];
  at: string;
  /** The audit step id of one record's removal (idempotency key of whoever removes it). */
  stepId: (record: R) => string;
  /** Why, appended to each removal's audit message. */
  why?: string;
}

type DnsRecordName = { zone: string; name: string };

/**
 * Removes the A records we wrote for a connection, auditing each; the one path for the clean-up and for an
 * offboarded tenant. Answers the records that were kept because they are no longer ours.
 */
export async function removeOurDnsRecords<R extends DnsRecordName>(
  ports: { dns: DnsRegistrar; bookkeeping: Bookkeeping },
  removal: DnsRemoval<R>,
): Promise<Set<R>> {
  const kept = new Set<R>();
  for (const record of removal.records) {
    const outcome = await ports.dns.removeARecord(record.zone, record.name, removal.privateEndpointId);
    if (outcome.outcome === "not-ours") kept.add(record);
    await ports.bookkeeping.appendAudit({
      connectionId: removal.connectionId,
      stepId: removal.stepId(record),
      at: removal.at,
      kind: "dns",
      actor: AUTOPILOT,
      message:
        outcome.outcome === "not-ours"
          ? `Kept ${record.name}.${record.zone}: ${outcome.detail}`
          : `Removed ${record.name}.${record.zone} (${outcome.outcome})${removal.why ? `: ${removal.why}` : ""}.`,
    });
  }
  return kept;
}

/**
 * Gone means ARM says so: the connection Disconnected, or the endpoint it references answers 404 (and the
 * connection, if still there, references no live endpoint). A live or unreadable endpoint keeps everything.
 */
export async function judgeGone(gateway: ConnectionGateway, target: CleanupTarget): Promise<GoneVerdict> {
  let connection: ArmConnection | undefined;
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
  connection: ArmConnection | undefined,
  recordedEndpointId: string | undefined,
): Promise<GoneVerdict> {
  const keep = (why: string): GoneVerdict => ({ gone: false, endpointGone: false, why });
  if (connection?.armStatus === "Disconnected") {
    return { gone: true, endpointGone: false, why: "ARM shows the connection Disconnected" };
  }
  if (connection && connection.armStatus === "Unknown") return keep("ARM shows a status this app does not know");
  const endpointId = connection ? connection.privateEndpointId : recordedEndpointId;
  if (!endpointId) {
    return connection
      ? keep(`ARM shows the connection ${connection.armStatus} with no endpoint to check`)
      : { gone: true, endpointGone: false, why: "ARM has no such connection and no endpoint was recorded" };
  }
  try {
    const endpoint = await gateway.getPrivateEndpoint(endpointId, { nics: "never" });
    if (endpoint) {
      return keep(
        connection
          ? `ARM shows the connection ${connection.armStatus} and its endpoint alive`
          : "ARM shows the endpoint alive",
      );
    }
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return keep(`the endpoint could not be read (${error.code})`);
  }
  return { gone: true, endpointGone: true, why: "ARM answers 404 for the private endpoint" };
}
