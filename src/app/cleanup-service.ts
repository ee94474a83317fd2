import type { Bookkeeping, ConnectionRecord, RecordedDnsRecord } from "../ports/bookkeeping.port";
import type { ArmConnection, ConnectionGateway } from "../ports/connection-gateway.port";
import type { DnsRegistrar, ListedARecord } from "../ports/dns-registrar.port";
import { AUTOPILOT } from "../workflow/activity-step";
import { removeOurDnsRecords } from "../workflow/cleanup.activities";

/** What the clean-up's duties beyond Disconnected connections need (those are the durable sweep's). */
export interface CleanupDeps {
  gateway: ConnectionGateway;
  dns: DnsRegistrar;
  bookkeeping: Bookkeeping;
  log: (message: string) => void;
  now: () => string;
  /** Report what would be removed or rejected; write nothing. */
  dryRun?: boolean;
}

/** Per-run bounds: what is left over is found again by the next run (the timer is the loop). */
export interface CleanupLimits {
  /** A records listed per run, over all zones. */
  maxRecordsListed: number;
  /** Distinct connections whose ARM status is read to judge records. */
  maxConnectionChecks: number;
  /** Orphaned records deleted per run. */
  maxRecordRemovals: number;
  /** Connections of offboarded tenants rejected per run. */
  maxOffboardedConnections: number;
}

export const DEFAULT_CLEANUP_LIMITS: CleanupLimits = {
  maxRecordsListed: 5000,
  maxConnectionChecks: 200,
  maxRecordRemovals: 50,
  maxOffboardedConnections: 25,
};

export interface OrphanedDnsReport {
  zones: number;
  listed: number;
  ours: number;
  removed: { zone: string; name: string; connectionId: string; why: string }[];
  kept: number;
  deferred: number;
  errors: string[];
}

export interface OffboardedReport {
  tenants: string[];
  rejected: string[];
  /** Suspended tenants' approved connections: recorded, left alone. */
  suspendedLeftAlone: { tenantId: string; approved: number }[];
  deferred: number;
  errors: string[];
}

export interface CleanupSweepReport {
  orphanedDns: OrphanedDnsReport;
  offboarded: OffboardedReport;
}

/**
 * The clean-up sweep's duties after its Disconnected pass (the durable sweep starts a clean-up per Disconnected
 * connection): orphaned DNS records and offboarded tenants' connections, bounded per run. Nothing here ever approves.
 */
export async function cleanupSweep(
  deps: CleanupDeps,
  limits: CleanupLimits = DEFAULT_CLEANUP_LIMITS,
): Promise<CleanupSweepReport> {
  const orphanedDns = await removeOrphanedDnsRecords(deps, limits);
  const offboarded = await retireOffboardedTenants(deps, limits);
  deps.log(
    `Clean-up: DNS ${orphanedDns.listed} records listed in ${orphanedDns.zones} zones, ${orphanedDns.ours} ours, ` +
      `${orphanedDns.removed.length} orphans removed, ${orphanedDns.kept} kept, ${orphanedDns.deferred} left for the next run; ` +
      `offboarded tenants ${offboarded.tenants.length}, ${offboarded.rejected.length} connections rejected, ` +
      `${offboarded.deferred} left for the next run; suspended tenants left alone: ` +
      `${offboarded.suspendedLeftAlone.map((s) => `${s.tenantId} (${s.approved} approved)`).join(", ") || "none"}; ` +
      `errors ${orphanedDns.errors.length + offboarded.errors.length}.`,
  );
  return { orphanedDns, offboarded };
}

/**
 * A record set whose metadata says we wrote it, for a connection that no longer exists in ARM or is not Approved,
 * is deleted with If-Match on the ETag it was judged by. Records without our metadata are never touched.
 */
export async function removeOrphanedDnsRecords(deps: CleanupDeps, limits: CleanupLimits): Promise<OrphanedDnsReport> {
  const report: OrphanedDnsReport = { zones: 0, listed: 0, ours: 0, removed: [], kept: 0, deferred: 0, errors: [] };
  const owned: ListedARecord[] = [];
  try {
    const zones = await deps.dns.listZones();
    report.zones = zones.length;
    for (const zone of zones) {
      const room = limits.maxRecordsListed - report.listed;
      if (room <= 0) break;
      const records = await deps.dns.listARecords(zone, room);
      report.listed += records.length;
      owned.push(...records.filter((r) => r.owner));
    }
  } catch (error) {
    report.errors.push(`listing DNS records: ${message(error)}`);
  }
  report.ours = owned.length;
  // Start where the clock points, so a backlog larger than one run's checks is worked through over several runs.
  const start = owned.length ? rotation(deps.now(), owned.length) : 0;
  const ordered = [...owned.slice(start), ...owned.slice(0, start)];
  const statuses = new Map<string, ArmConnection | "gone" | "error">();
  for (const record of ordered) {
    const connectionId = record.owner!.connectionId;
    const key = connectionId.toLowerCase();
    if (!statuses.has(key) && statuses.size >= limits.maxConnectionChecks) {
      report.deferred += 1;
      continue;
    }
    if (report.removed.length >= limits.maxRecordRemovals) {
      report.deferred += 1;
      continue;
    }
    let status = statuses.get(key);
    if (!status) {
      try {
        status = (await deps.gateway.getConnection(connectionId, { withProviderResource: false })) ?? "gone";
      } catch (error) {
        // Unreadable is not absent: keep the record (fail closed) and say why.
        report.errors.push(`reading ${connectionId}: ${message(error)}`);
        status = "error";
      }
      statuses.set(key, status);
    }
    if (status === "error" || (status !== "gone" && status.armStatus === "Approved")) {
      report.kept += 1;
      continue;
    }
    const why =
      status === "gone"
        ? "its connection no longer exists in Azure"
        : `its connection is ${status.armStatus}, not Approved`;
    if (deps.dryRun) {
      report.removed.push({ zone: record.zone, name: record.name, connectionId, why });
      continue;
    }
    try {
      const outcome = await deps.dns.removeListedARecord(record);
      if (outcome.outcome !== "removed" && outcome.outcome !== "absent") {
        report.kept += 1;
        continue;
      }
      report.removed.push({ zone: record.zone, name: record.name, connectionId, why });
      await recordDnsRemoval(deps, connectionId, record, `Removed orphaned A ${record.name}.${record.zone}: ${why}.`);
    } catch (error) {
      report.errors.push(`removing ${record.name}.${record.zone}: ${message(error)}`);
    }
  }
  return report;
}

/** Marks the record removed on the connection's row (when there is one) and audits the removal, idempotently. */
async function recordDnsRemoval(
  deps: CleanupDeps,
  connectionId: string,
  record: { zone: string; name: string; etag?: string },
  text: string,
): Promise<void> {
  const at = deps.now();
  const row = await deps.bookkeeping.getConnection(connectionId);
  if (row?.dnsRecords?.some((r) => sameRecord(r, record) && r.outcome !== "removed")) {
    await deps.bookkeeping.saveConnection({
      connectionId: row.connectionId,
      dnsRecords: row.dnsRecords.map((r) => (sameRecord(r, record) ? { ...r, outcome: "removed" as const } : r)),
      updatedAt: at,
    });
  }
  await deps.bookkeeping.appendAudit({
    connectionId: row?.connectionId ?? connectionId,
    stepId: `cleanup:dns-remove:${record.zone}/${record.name}:${record.etag ?? "-"}`.toLowerCase(),
    at,
    kind: "dns",
    actor: AUTOPILOT,
    message: text,
  });
}

/**
 * An offboarded tenant keeps no access: each approved connection is set Rejected on ARM (saying why), its DNS
 * records are removed, its row becomes `removed` and stops counting against the tenant. Suspended tenants are only
 * recorded: suspension is temporary, and the policy already rejects their new requests.
 */
export async function retireOffboardedTenants(deps: CleanupDeps, limits: CleanupLimits): Promise<OffboardedReport> {
  const report: OffboardedReport = { tenants: [], rejected: [], suspendedLeftAlone: [], deferred: 0, errors: [] };
  let tenants;
  try {
    tenants = await deps.bookkeeping.listTenants();
  } catch (error) {
    report.errors.push(`listing tenants: ${message(error)}`);
    return report;
  }
  for (const tenant of tenants) {
    if (tenant.status === "active") continue;
    try {
      const approved = await deps.bookkeeping.listConnections({ tenantId: tenant.tenantId, state: "approved" });
      if (tenant.status === "suspended") {
        if (approved.length > 0)
          report.suspendedLeftAlone.push({ tenantId: tenant.tenantId, approved: approved.length });
        continue;
      }
      report.tenants.push(tenant.tenantId);
      for (const row of approved) {
        if (report.rejected.length >= limits.maxOffboardedConnections) {
          report.deferred += 1;
          continue;
        }
        if (!deps.dryRun) await retireConnection(deps, tenant.tenantId, row);
        report.rejected.push(row.connectionId);
      }
    } catch (error) {
      report.errors.push(`tenant ${tenant.tenantId}: ${message(error)}`);
    }
  }
  return report;
}

async function retireConnection(deps: CleanupDeps, tenantId: string, row: ConnectionRecord): Promise<void> {
  const at = deps.now();
  const step = (suffix: string): string => `cleanup:offboard:${row.connectionId.toLowerCase()}:${suffix}`;
  const description = `Rejected: tenant ${tenantId} was offboarded`.slice(0, 140);
  // Read right before writing: only a live connection is rejected; an absent one needs no write.
  const current = await deps.gateway.getConnection(row.connectionId, { withProviderResource: false });
  let azureStatus = current?.armStatus;
  if (current && (current.armStatus === "Approved" || current.armStatus === "Pending")) {
    azureStatus = (await deps.gateway.setConnectionStatus(row.connectionId, "Rejected", description)).armStatus;
    await deps.bookkeeping.appendAudit({
      connectionId: row.connectionId,
      stepId: step("arm-reject"),
      at,
      kind: "arm-write",
      actor: AUTOPILOT,
      message: `Set Rejected: ${description}.`,
    });
  }
  const ours = (row.dnsRecords ?? []).filter((r) => r.outcome === "created" || r.outcome === "already-ours");
  const kept = row.privateEndpointId
    ? await removeOurDnsRecords(deps, {
        connectionId: row.connectionId,
        privateEndpointId: row.privateEndpointId,
        records: ours,
        at,
        stepId: (record) => step(`dns-remove:${record.zone}/${record.name}`),
        why: "the tenant was offboarded",
      })
    : new Set(ours);
  const records: RecordedDnsRecord[] = (row.dnsRecords ?? []).map((record) =>
    ours.includes(record) && !kept.has(record) ? { ...record, outcome: "removed" } : record,
  );
  // Quota first, so a row that says removed never still holds a unit (a run cut short between them is redone).
  await deps.bookkeeping.releaseQuota(tenantId, row.connectionId);
  await deps.bookkeeping.saveConnection({
    connectionId: row.connectionId,
    state: "removed",
    reason: `The tenant ${tenantId} was offboarded; access was withdrawn.`,
    ...(azureStatus ? { azureStatus } : {}),
    dnsRecords: records,
    decidedBy: AUTOPILOT,
    updatedAt: at,
  });
  await deps.bookkeeping.appendAudit({
    connectionId: row.connectionId,
    stepId: step("removed"),
    at,
    kind: "tenant",
    actor: AUTOPILOT,
    message: `Access withdrawn: tenant ${tenantId} is offboarded.`,
  });
}

function sameRecord(a: { zone: string; name: string }, b: { zone: string; name: string }): boolean {
  return a.zone.toLowerCase() === b.zone.toLowerCase() && a.name.toLowerCase() === b.name.toLowerCase();
}

/**
 * Where this run starts in the list of our records: the clock's minute modulo the list's length. Each run checks
 * and removes only so many records (CleanupLimits); starting at the same place every run would let a backlog
 * beyond those bounds hide the same records behind the same first ones forever. Taken from the clock, not chance,
 * so a test pins it by setting the time.
 */
function rotation(now: string, size: number): number {
  const minutes = Math.floor(Date.parse(now) / 60_000);
  return Number.isFinite(minutes) ? minutes % size : 0;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
