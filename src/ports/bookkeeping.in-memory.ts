import { DomainError } from "../domain/errors";
import type { Tenant } from "../domain/tenant";
import type {
  AuditEntry,
  Bookkeeping,
  ConnectionPage,
  ConnectionQuery,
  ConnectionRecord,
  ConnectionUpdate,
  QuotaReservation,
  SweepKind,
  SweepReport,
  TenantAuditEntry,
  TenantWriteCondition,
  TenantWriteResult,
  VersionedTenant,
} from "./bookkeeping.port";

const norm = (id: string): string => id.trim().replace(/\/+$/, "").toLowerCase();

/** Bookkeeping in memory, for unit tests and dry runs. Same semantics as TableBookkeeping. */
export class InMemoryBookkeeping implements Bookkeeping {
  readonly tenants = new Map<string, Tenant>();
  readonly connections = new Map<string, ConnectionRecord>();
  readonly audit = new Map<string, AuditEntry[]>();
  readonly tenantAudit: TenantAuditEntry[] = [];
  readonly sweeps = new Map<SweepKind, SweepReport>();
  private readonly etags = new Map<string, number>();
  private readonly usage = new Map<string, Set<string>>();

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    return clone(this.tenants.get(tenantId.toLowerCase()));
  }

  async findTenantBySubscription(subscriptionId: string): Promise<Tenant | undefined> {
    const sub = subscriptionId.toLowerCase();
    for (const tenant of this.tenants.values()) {
      if (tenant.subscriptions.some((s) => s.toLowerCase() === sub)) return clone(tenant);
    }
    return undefined;
  }

  async listTenants(): Promise<Tenant[]> {
    return [...this.tenants.values()].map((t) => clone(t)!);
  }

  async upsertTenant(tenant: Tenant): Promise<void> {
    const key = tenant.tenantId.toLowerCase();
    const usage = this.usage.get(key)?.size ?? this.tenants.get(key)?.usage ?? 0;
    this.tenants.set(key, { ...clone(tenant)!, usage });
  }

  async getTenantVersioned(tenantId: string): Promise<VersionedTenant | undefined> {
    const tenant = await this.getTenant(tenantId);
    return tenant ? { tenant, etag: this.etagOf(tenantId) } : undefined;
  }

  async writeTenant(tenant: Tenant, condition: TenantWriteCondition): Promise<TenantWriteResult> {
    const key = tenant.tenantId.toLowerCase();
    const exists = this.tenants.has(key);
    if ("ifAbsent" in condition && exists) return { ok: false, reason: "exists" };
    if ("ifMatch" in condition && !exists) return { ok: false, reason: "missing" };
    if ("ifMatch" in condition && condition.ifMatch !== this.etagOf(key)) return { ok: false, reason: "changed" };
    await this.upsertTenant(tenant);
    this.etags.set(key, (this.etags.get(key) ?? 0) + 1);
    return { ok: true, etag: this.etagOf(key) };
  }

  async appendTenantAudit(entry: TenantAuditEntry): Promise<void> {
    this.tenantAudit.push(clone(entry)!);
  }

  async listTenantAudit(tenantId: string, limit = 200): Promise<TenantAuditEntry[]> {
    return this.tenantAudit
      .filter((e) => e.tenantId.toLowerCase() === tenantId.toLowerCase())
      .reverse()
      .slice(0, limit)
      .map((e) => clone(e)!);
  }

  private etagOf(tenantId: string): string {
    return `W/"${this.etags.get(tenantId.toLowerCase()) ?? 0}"`;
  }

  async reserveQuota(tenantId: string, connectionId: string, limit?: number): Promise<QuotaReservation> {
    const set = this.reservations(tenantId);
    const id = norm(connectionId);
    // Single-threaded: check and add happen with no await between them, so this is atomic.
    if (!set.has(id) && (limit === undefined || set.size < limit)) set.add(id);
    this.syncUsage(tenantId);
    return { reserved: set.has(id), usage: set.size };
  }

  async releaseQuota(tenantId: string, connectionId: string): Promise<number> {
    const set = this.reservations(tenantId);
    set.delete(norm(connectionId));
    this.syncUsage(tenantId);
    return set.size;
  }

  async quotaUsage(tenantId: string): Promise<number> {
    return this.reservations(tenantId).size;
  }

  private reservations(tenantId: string): Set<string> {
    const key = tenantId.toLowerCase();
    const set = this.usage.get(key) ?? new Set<string>();
    this.usage.set(key, set);
    return set;
  }

  private syncUsage(tenantId: string): void {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (tenant) tenant.usage = this.reservations(tenantId).size;
  }

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    return clone(this.connections.get(norm(connectionId)));
  }

  async saveConnection({ ifNew, ...given }: ConnectionUpdate): Promise<ConnectionRecord> {
    const key = norm(given.connectionId);
    const existing = this.connections.get(key);
    const update = existing ? given : { ...ifNew, ...given };
    if (!existing && (update.state === undefined || update.providerResourceId === undefined)) {
      throw new DomainError(
        "CONNECTION_INCOMPLETE",
        "A new connection row needs state and providerResourceId; record the request first.",
      );
    }
    const merged = {
      ...existing,
      ...stripUndefined(update),
      connectionId: existing?.connectionId ?? update.connectionId,
      createdAt: existing?.createdAt ?? update.updatedAt,
    } as ConnectionRecord;
    this.connections.set(key, merged);
    return clone(merged)!;
  }

  async listConnections(query: ConnectionQuery): Promise<ConnectionRecord[]> {
    const rows = [...this.connections.values()].filter(
      (r) =>
        (query.state === undefined || r.state === query.state) &&
        (query.tenantId === undefined || r.tenantId?.toLowerCase() === query.tenantId.toLowerCase()) &&
        (query.providerResourceId === undefined || norm(r.providerResourceId) === norm(query.providerResourceId)) &&
        (query.privateEndpointId === undefined ||
          (r.privateEndpointId !== undefined && norm(r.privateEndpointId) === norm(query.privateEndpointId))),
    );
    return rows.slice(0, query.limit ?? 200).map((r) => clone(r)!);
  }

  async pageConnections(pageSize: number, continuation?: string): Promise<ConnectionPage> {
    const keys = [...this.connections.keys()].sort().filter((k) => continuation === undefined || k > continuation);
    const page = keys.slice(0, pageSize);
    const records = page.map((k) => clone(this.connections.get(k))!);
    return page.length === pageSize && page.length > 0 ? { records, continuation: page.at(-1)! } : { records };
  }

  async appendAudit(entry: AuditEntry): Promise<boolean> {
    const key = norm(entry.connectionId);
    const list = this.audit.get(key) ?? [];
    this.audit.set(key, list);
    if (list.some((e) => e.stepId === entry.stepId)) return false;
    list.push(clone(entry)!);
    return true;
  }

  async hasAuditStep(connectionId: string, stepId: string): Promise<boolean> {
    return (this.audit.get(norm(connectionId)) ?? []).some((e) => e.stepId === stepId);
  }

  async listAudit(connectionId: string, limit = 200): Promise<AuditEntry[]> {
    const list = this.audit.get(norm(connectionId)) ?? [];
    return [...list]
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
      .slice(0, limit)
      .map((e) => clone(e)!);
  }

  async saveSweepReport(report: SweepReport): Promise<void> {
    this.sweeps.set(report.kind, clone(report)!);
  }

  async getSweepReport(kind: SweepKind): Promise<SweepReport | undefined> {
    return clone(this.sweeps.get(kind));
  }

  async ping(): Promise<void> {}
}

function clone<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
