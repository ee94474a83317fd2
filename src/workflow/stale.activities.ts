import { retentionDue } from "../domain/stale";
import type { Bookkeeping, ConnectionRecord, RecordedDnsRecord } from "../ports/bookkeeping.port";
import type { ConnectionGateway } from "../ports/connection-gateway.port";
import { runOf, type ActivityHandlers, type DeleteRetainedInput } from "./contracts";
import { ActivityNames, type StaleActivityName } from "./names";

/**
 * The acting steps of the stale-connection life cycle (time-bound approvals ending, retention). Each reads ARM right
 * before it writes and acts only on what ARM shows; what it leaves alone is recorded with the reason.
 */
export interface StaleActivityPorts {
  gateway: ConnectionGateway;
  bookkeeping: Bookkeeping;
}

const AUTOPILOT = "autopilot";
/** Row states whose connections can be Rejected or Disconnected in ARM. */
const FINISHED_STATES = ["rejected", "removed"] as const;

export function createStaleActivities({
  gateway,
  bookkeeping,
}: StaleActivityPorts): ActivityHandlers<StaleActivityName> {
  return {
    async [ActivityNames.recordApprovalPeriod](input) {
      await bookkeeping.saveConnection({
        connectionId: input.connectionId,
        validUntil: input.validUntil,
        updatedAt: input.at,
      });
      await bookkeeping.appendAudit({
        connectionId: input.connectionId,
        stepId: `${runOf(input)}:valid-until-${input.sequence}`,
        at: input.at,
        kind: "decision",
        actor: input.renewedBy ?? AUTOPILOT,
        message: input.renewedBy
          ? `Approval renewed by ${input.renewedBy} until ${input.validUntil}${input.reason ? `: ${input.reason}` : ""}.`
          : `Approved until ${input.validUntil} (the rule's validFor); renew it before then to keep it.`,
      });
      return null;
    },

    async [ActivityNames.endApproval](input) {
      // Status only: one ARM call, right before the write.
      const current = await gateway.getConnection(input.connectionId, { withProviderResource: false });
      if (!current) return { outcome: "left", why: "the connection no longer exists in Azure" };
      // A repeated run finds its own rejection: go on with the records.
      if (current.armStatus === "Rejected" && current.description === input.description) return { outcome: "rejected" };
      if (current.armStatus !== "Approved") {
        return { outcome: "left", why: `Azure shows the connection ${current.armStatus}, not Approved` };
      }
      await gateway.setConnectionStatus(input.connectionId, "Rejected", input.description);
      await bookkeeping.appendAudit({
        connectionId: input.connectionId,
        stepId: `${runOf(input)}:arm-approval-ended`,
        at: input.at,
        kind: "arm-write",
        actor: AUTOPILOT,
        message: `Set Rejected: ${input.description}`,
      });
      return { outcome: "rejected" };
    },

    async [ActivityNames.recordApprovalEnd](input) {
      const row = await bookkeeping.getConnection(input.connectionId);
      if (input.result.outcome === "rejected" && row) {
        // Quota first, so a row that says removed never still holds a unit.
        if (row.tenantId) await bookkeeping.releaseQuota(row.tenantId, row.connectionId);
        await bookkeeping.saveConnection({
          connectionId: row.connectionId,
          state: "removed",
          azureStatus: "Rejected",
          reason: "The approval period ended and was not renewed.",
          dnsRecords: markedRemoved(row.dnsRecords),
          updatedAt: input.at,
        });
      }
      await bookkeeping.appendAudit({
        connectionId: input.connectionId,
        stepId: `${runOf(input)}:approval-ended`,
        at: input.at,
        kind: "state",
        actor: AUTOPILOT,
        message:
          input.result.outcome === "rejected"
            ? "The approval period ended: rejected in Azure, DNS records, row and quota removed."
            : `The approval period ended; nothing was changed: ${input.result.why}.`,
      });
      return null;
    },

    async [ActivityNames.listRetained](input) {
      const now = Date.parse(input.now);
      const due: string[] = [];
      for (const state of FINISHED_STATES) {
        const rows = await bookkeeping.listConnections({ state, limit: 1000 });
        due.push(...rows.filter((row) => retentionDue(row, now, input.retention)).map((row) => row.connectionId));
      }
      return due.slice(0, input.limit);
    },

    async [ActivityNames.deleteRetained](input) {
      const audit = (message: string, kind: "arm-write" | "state" = "state") =>
        bookkeeping.appendAudit({
          connectionId: input.connectionId,
          stepId: `${input.instanceId}:retention`,
          at: input.at,
          kind,
          actor: AUTOPILOT,
          message,
        });
      const current = await gateway.getConnection(input.connectionId, { withProviderResource: false });
      if (!current) {
        await save(bookkeeping, input, { deletedAt: input.at });
        await audit("Retention: the connection was already gone from Azure; nothing to delete.");
        return "absent";
      }
      if (current.armStatus !== "Rejected" && current.armStatus !== "Disconnected") {
        // Approved (or asked again) by hand since we recorded it: Azure is the truth, so the row follows it.
        await save(bookkeeping, input, { azureStatus: current.armStatus });
        await audit(`Retention: Azure shows the connection ${current.armStatus}; it was kept.`);
        return "kept";
      }
      await gateway.deleteConnection(input.connectionId);
      await save(bookkeeping, input, {
        state: "removed",
        deletedAt: input.at,
        reason: `Deleted on the provider side: ${current.armStatus} for longer than the retention period ${input.retention}.`,
      });
      await audit(
        `Deleted the ${current.armStatus} connection: older than the retention period ${input.retention}.`,
        "arm-write",
      );
      return "deleted";
    },
  };
}

function save(
  bookkeeping: Bookkeeping,
  input: DeleteRetainedInput,
  fields: Partial<Pick<ConnectionRecord, "state" | "azureStatus" | "deletedAt" | "reason">>,
): Promise<ConnectionRecord> {
  return bookkeeping.saveConnection({ connectionId: input.connectionId, ...fields, updatedAt: input.at });
}

/** The records we wrote are gone with the approval; conflicts and others' records stay as they were recorded. */
function markedRemoved(records: RecordedDnsRecord[] | undefined): RecordedDnsRecord[] {
  return (records ?? []).map((r) =>
    r.outcome === "created" || r.outcome === "already-ours" ? { ...r, outcome: "removed" as const } : r,
  );
}
