import type { AzureConnectionStatus, ReviewState, SignalSource } from "../domain/connection";
import type { Tenant } from "../domain/tenant";

export interface RecordedDnsRecord {
  zone: string;
  name: string;
  ipAddresses: string[];
  outcome: "created" | "already-ours" | "conflict" | "removed";
  detail?: string;
}

/** One row per connection: its state, the decision and why, and what we wrote for it. */
export interface ConnectionRecord {
  /** ARM id, original casing. */
  connectionId: string;
  state: ReviewState;
  providerResourceId: string;
  providerResourceType?: string;
  azureStatus?: AzureConnectionStatus;
  privateEndpointId?: string;
  consumerSubscriptionId?: string;
  tenantId?: string;
  groupIds?: string[];
  source?: SignalSource;
  verdict?: "approve" | "reject" | "review";
  ruleId?: string;
  reason?: string;
  policyVersion?: string;
  instanceId?: string;
  decidedBy?: string;
  dnsRecords?: RecordedDnsRecord[];
  /** e.g. "the consumer's subscription is not readable: DNS is theirs". */
  dnsNote?: string;
  /** A time-bound approval: when it ends unless renewed. */
  validUntil?: string;
  /** When the retention clean-up deleted the connection on the provider side (or found it gone). */
  deletedAt?: string;
  /** When we first saw the connection in ARM: a request's age counts from here (ARM records no creation time). */
  createdAt: string;
  updatedAt: string;
}

/** A partial update: fields left out keep their stored value. connectionId and updatedAt are required. */
export type ConnectionUpdate = Partial<Omit<ConnectionRecord, "connectionId" | "createdAt" | "updatedAt">> & {
  connectionId: string;
  updatedAt: string;
  /** Applied only when the row is new (a first record): an existing row keeps its own values of these. */
  ifNew?: Pick<ConnectionRecord, "state" | "providerResourceId">;
};

export type AuditKind = "signal" | "decision" | "arm-write" | "dns" | "state" | "error" | "tenant";

/** An append-only audit entry. stepId makes it idempotent: the same stepId is recorded once. */
export interface AuditEntry {
  connectionId: string;
  stepId: string;
  at: string;
  kind: AuditKind;
  /** Who acted: "autopilot", an approver, "policy:<ruleId>", "operator". */
  actor: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface QuotaReservation {
  reserved: boolean;
  /** Reservations the tenant holds after the call. */
  usage: number;
}

export interface ConnectionQuery {
  state?: ReviewState;
  tenantId?: string;
  providerResourceId?: string;
  privateEndpointId?: string;
  /** At most this many rows (default 200). */
  limit?: number;
}

/** A tenant profile and the ETag of the stored version, for optimistic concurrency. */
export interface VersionedTenant {
  tenant: Tenant;
  etag: string;
}

/** Write only over the version the caller read (`ifMatch`), or only when no tenant has that id yet. */
export type TenantWriteCondition = { ifMatch: string } | { ifAbsent: true };

export type TenantWriteResult = { ok: true; etag: string } | { ok: false; reason: "exists" | "changed" | "missing" };

/** Who changed a tenant, when, and what it looked like afterwards. */
export interface TenantAuditEntry {
  tenantId: string;
  at: string;
  actor: string;
  action: "created" | "updated" | "offboarded";
  message: string;
  data?: Record<string, unknown>;
}

export interface ConnectionPage {
  records: ConnectionRecord[];
  /** Pass back to get the next page; absent on the last page. */
  continuation?: string;
}

export type SweepKind = "review" | "cleanup";

/** How the sweep lists connections: one ARM listing per resource, or Azure Resource Graph pages. */
export type SweepListing = "per-resource" | "resource-graph";

/** One scope, resource or page the sweep could not read even after its retries: the next sweep tries again. */
export interface SweepError {
  scope: string;
  code: string;
  message: string;
}

/** What one sweep run saw and did (or, for a dry run, would do). */
export interface SweepReport {
  kind: SweepKind;
  instanceId: string;
  listing: SweepListing;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  scopes: number;
  resources: number;
  connections: number;
  /** Reviews (or clean-ups) started; in a dry run, the ones that would start. */
  started: number;
  alreadyRunning: number;
  /** Connections approved, rejected or deleted outside the autopilot, recorded as such. */
  drift: number;
  /** ARM (and Resource Graph) HTTP requests the sweep made, retries included. */
  armCalls: number;
  /** Tries that were throttled (429) or failed transiently and were tried again later. */
  retries: number;
  errors: SweepError[];
  /** Connection ids the run started (or would start), at most 100, for people reading the report. */
  sample: string[];
  /** The clean-up's other duties (orphaned DNS records, offboarded tenants), summarised. */
  cleanup?: Record<string, unknown>;
}

/** Tenants, connections, the audit log and the indexes that answer the API's queries without full scans. */
export interface Bookkeeping {
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  findTenantBySubscription(subscriptionId: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  /** Creates or replaces the tenant profile; the stored usage is kept (it is counted, not imported). */
  upsertTenant(tenant: Tenant): Promise<void>;
  /**
   * Reserves one unit of the tenant's quota for a connection, atomically (concurrent reservations never overshoot
   * `limit`). Idempotent per connection: a connection that holds a reservation keeps it and is told so. Without a
   * limit (a person agreed to go over quota) the reservation is always made.
   */
  reserveQuota(tenantId: string, connectionId: string, limit?: number): Promise<QuotaReservation>;
  /** Gives the connection's reservation back (absent: nothing happens); returns the tenant's usage after. */
  releaseQuota(tenantId: string, connectionId: string): Promise<number>;
  /** How many reservations the tenant holds: the usage policy judges quota by. */
  quotaUsage(tenantId: string): Promise<number>;
  getTenantVersioned(tenantId: string): Promise<VersionedTenant | undefined>;
  /** Writes the profile when the condition holds; the counted usage is kept. Returns the new ETag or why not. */
  writeTenant(tenant: Tenant, condition: TenantWriteCondition): Promise<TenantWriteResult>;
  appendTenantAudit(entry: TenantAuditEntry): Promise<void>;
  /** Newest first. */
  listTenantAudit(tenantId: string, limit?: number): Promise<TenantAuditEntry[]>;

  getConnection(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Creates the row (state and providerResourceId needed) or merges into it, guarded by ETag. */
  saveConnection(update: ConnectionUpdate): Promise<ConnectionRecord>;
  listConnections(query: ConnectionQuery): Promise<ConnectionRecord[]>;
  /** Every recorded connection, a page at a time in key order (what-if runs, without loading the table at once). */
  pageConnections(pageSize: number, continuation?: string): Promise<ConnectionPage>;

  /** Idempotent per (connectionId, stepId). Returns false when that step was already recorded. */
  appendAudit(entry: AuditEntry): Promise<boolean>;
  /** Newest first. */
  listAudit(connectionId: string, limit?: number): Promise<AuditEntry[]>;
  /** Whether an entry with this step id was appended (one point read, however long the history). */
  hasAuditStep(connectionId: string, stepId: string): Promise<boolean>;

  /** Keeps the report of the latest sweep of its kind (dry runs are never saved). */
  saveSweepReport(report: SweepReport): Promise<void>;
  getSweepReport(kind: SweepKind): Promise<SweepReport | undefined>;

  /** Cheap round trip for the health check. */
  ping(): Promise<void>;
}
