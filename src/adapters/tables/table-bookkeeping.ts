import { randomUUID } from "node:crypto";
import type { TableClient, TableEntity, TableEntityResult } from "@azure/data-tables";
import { encodeKey, normaliseArmId } from "../../domain/arm-id";
import type { Tenant } from "../../domain/tenant";
import type {
  AuditEntry,
  Bookkeeping,
  ConnectionQuery,
  ConnectionRecord,
  ConnectionPage,
  ConnectionUpdate,
  QuotaReservation,
  SweepKind,
  SweepReport,
  TenantAuditEntry,
  TenantWriteCondition,
  TenantWriteResult,
  VersionedTenant,
} from "../../ports/bookkeeping.port";
import { PermanentCodes, PermanentError } from "../../ports/errors";
import { DomainError } from "../../domain/errors";
import { statusOf, toPortError } from "./table-errors";

export type TableName = "Tenants" | "Connections" | "Audit" | "Index" | "Sweeps";
export const TABLE_NAMES: readonly TableName[] = ["Tenants", "Connections", "Audit", "Index", "Sweeps"];

/** Gives the TableClient for `${prefix}${name}`; the composition root decides the endpoint and credential. */
export type TableClientFactory = (name: TableName) => TableClient;

/** Table Storage rejects string properties over 64 KiB (32 K UTF-16 chars); stay below. */
const MAX_STRING = 30_000;
const MAX_ETAG_RETRIES = 8;
const MAX_RESERVATION_ROUNDS = 40;
const TENANT_PK = "tenant";
const META_PK = "meta";
/** Marks the subscription index as built in the Tenants table (data from before it lived in the Index table). */
const SUBSCRIPTION_INDEX_RK = "subscription-index";
const CONNECTION_RK = "connection";
/** Sorts before every encoded connection key ("!" is below the characters encodeKey emits). */
const USAGE_COUNTER_RK = "!count";
const SWEEP_RK = "latest";

type Row = TableEntity<Record<string, unknown>>;
type StoredRow = TableEntityResult<Record<string, unknown>>;

const ensured = new Map<string, Promise<void>>();

/**
 * Bookkeeping on Azure Table Storage.
 * - Tenants: one partition ("tenant"), row key = lower-case tenant id; partitions "subscription-<guid>" with a row
 *   per tenant listing it (the subscription index), and "meta".
 * - Connections: partition = encodeKey(connection id), row "connection"; ETag-guarded read-modify-write.
 * - Audit: partition = encodeKey(connection id); row key = inverted time + step so newest sorts first, plus a
 *   "step-..." marker row created in the same transaction, which makes each step id land once. Tenant changes go
 *   to partition "tenant-<id>", newest first the same way.
 * - Index: partitions "tenant-<id>", "resource-<key>", "endpoint-<key>", "state-<state>", "usage-<tenant>"; rows
 *   point at connection keys so queries never scan.
 * - Sweeps: partition = sweep kind, row "latest": the report of the latest sweep, as JSON.
 */
export class TableBookkeeping implements Bookkeeping {
  /** One client per table: building one builds its whole HTTP pipeline, which cost more than the call it makes. */
  private readonly clients = new Map<TableName, TableClient>();
  private subscriptionIndex: Promise<void> | undefined;

  constructor(private readonly tables: TableClientFactory) {}

  private async table(name: TableName): Promise<TableClient> {
    let client = this.clients.get(name);
    if (!client) this.clients.set(name, (client = this.tables(name)));
    const id = `${client.url}|${client.tableName}`;
    let ready = ensured.get(id);
    if (!ready) {
      ready = client.createTable().catch((error: unknown) => {
        ensured.delete(id);
        throw toPortError(error, `creating table ${client.tableName}`);
      });
      ensured.set(id, ready);
    }
    await ready;
    return client;
  }

  // ---- tenants ----

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    const row = await this.read("Tenants", TENANT_PK, tenantId.toLowerCase());
    return row ? this.counted(row) : undefined;
  }

  /** A tenant as stored, with its usage read from the quota reservations (the counter is the truth, not the row). */
  private async counted(row: StoredRow): Promise<Tenant> {
    const tenant = rowToTenant(row);
    return { ...tenant, usage: await this.quotaUsage(tenant.tenantId) };
  }

  async findTenantBySubscription(subscriptionId: string): Promise<Tenant | undefined> {
    await this.subscriptionIndexReady();
    const tenants = await this.table("Tenants");
    const pk = `subscription-${subscriptionId.toLowerCase()}`;
    for await (const row of tenants.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })) {
      const tenant = await this.getTenant(String(row.rowKey));
      if (tenant?.subscriptions.some((s) => s.toLowerCase() === subscriptionId.toLowerCase())) return tenant;
    }
    return undefined;
  }

  async listTenants(): Promise<Tenant[]> {
    const tenants = await this.table("Tenants");
    const out: Tenant[] = [];
    for await (const row of tenants.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${TENANT_PK}` } })) {
      out.push(await this.counted(row));
    }
    return out;
  }

  async upsertTenant(tenant: Tenant): Promise<void> {
    const rk = tenant.tenantId.toLowerCase();
    // usage is counted from approved connections, never taken from an import
    const previous = await this.updateGuarded("Tenants", TENANT_PK, rk, (existing) =>
      tenantToRow(tenant, existing ? Number(existing.usage ?? 0) : 0),
    );
    await this.reindexTenant(tenant, previous);
  }

  async getTenantVersioned(tenantId: string): Promise<VersionedTenant | undefined> {
    const row = await this.read("Tenants", TENANT_PK, tenantId.toLowerCase());
    return row ? { tenant: await this.counted(row), etag: row.etag } : undefined;
  }

  async writeTenant(tenant: Tenant, condition: TenantWriteCondition): Promise<TenantWriteResult> {
    const table = await this.table("Tenants");
    const existing = await this.read("Tenants", TENANT_PK, tenant.tenantId.toLowerCase());
    if ("ifAbsent" in condition && existing) return { ok: false, reason: "exists" };
    if ("ifMatch" in condition && !existing) return { ok: false, reason: "missing" };
    if ("ifMatch" in condition && existing?.etag !== condition.ifMatch) return { ok: false, reason: "changed" };
    const row = tenantToRow(tenant, existing ? Number(existing.usage ?? 0) : 0);
    try {
      // The ETag we compared travels with the write: a writer in between makes Table Storage refuse it (412).
      const written = existing
        ? await table.updateEntity(row, "Replace", { etag: existing.etag })
        : await table.createEntity(row);
      await this.reindexTenant(tenant, existing);
      return { ok: true, etag: written.etag ?? "" };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412) return { ok: false, reason: "changed" };
      if (status === 409) return { ok: false, reason: "exists" };
      throw toPortError(error, "writing Tenants");
    }
  }

  async appendTenantAudit(entry: TenantAuditEntry): Promise<void> {
    const audit = await this.table("Audit");
    const row: Row = {
      partitionKey: tenantAuditPartition(entry.tenantId),
      rowKey: `${invertedTime(entry.at)}-${randomUUID()}`,
      tenantId: entry.tenantId,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      message: cap(entry.message),
      ...(entry.data ? { data: dataText(entry.data) } : {}),
    };
    await this.safe(() => audit.createEntity(row), "appending to the tenant audit log");
  }

  async listTenantAudit(tenantId: string, limit = 200): Promise<TenantAuditEntry[]> {
    const audit = await this.table("Audit");
    const out: TenantAuditEntry[] = [];
    const pk = tenantAuditPartition(tenantId);
    for await (const row of audit.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })) {
      out.push({
        tenantId: String(row.tenantId),
        at: String(row.at),
        actor: String(row.actor),
        action: String(row.action) as TenantAuditEntry["action"],
        message: String(row.message),
        ...(typeof row.data === "string" ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  async reserveQuota(tenantId: string, connectionId: string, limit?: number): Promise<QuotaReservation> {
    return this.changeReservation(tenantId, connectionId, (held, usage) =>
      held || (limit !== undefined && usage >= limit) ? undefined : "reserve",
    );
  }

  async releaseQuota(tenantId: string, connectionId: string): Promise<number> {
    return (await this.changeReservation(tenantId, connectionId, (held) => (held ? "release" : undefined))).usage;
  }

  async quotaUsage(tenantId: string): Promise<number> {
    return (await this.readUsage(`usage-${tenantId.toLowerCase()}`)).usage;
  }

  /**
   * Reservations live in the partition "usage-<tenant>": one row per connection plus a counter row. The counter
   * (If-Match on its ETag) and the connection's row change in one transaction, so two writers racing for the last
   * unit of quota cannot both win: the loser gets 412, reads again and sees the quota used.
   */
  private async changeReservation(
    tenantId: string,
    connectionId: string,
    decide: (held: boolean, usage: number) => "reserve" | "release" | undefined,
  ): Promise<QuotaReservation> {
    const index = await this.table("Index");
    const pk = `usage-${tenantId.toLowerCase()}`;
    const rk = key(connectionId);
    // A burst of reviews of one tenant contends for one counter row: one writer wins per round, so allow as many
    // rounds as a burst has writers, with a little jitter so they stop colliding in lockstep.
    for (let attempt = 0; attempt < MAX_RESERVATION_ROUNDS; attempt++) {
      if (attempt > 0) await pause(Math.random() * 10 * Math.min(attempt, 5));
      const { usage, counter } = await this.readUsage(pk);
      const held = (await this.read("Index", pk, rk)) !== undefined;
      const change = decide(held, usage);
      if (!change) return { reserved: held, usage };
      const next = usage + (change === "reserve" ? 1 : -1);
      const count = { partitionKey: pk, rowKey: USAGE_COUNTER_RK, count: next };
      try {
        await index.submitTransaction([
          counter ? ["update", count, "Replace", { etag: counter.etag }] : ["create", count],
          [change === "reserve" ? "create" : "delete", { partitionKey: pk, rowKey: rk }],
        ]);
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 409 || status === 404) continue;
        throw toPortError(error, "reserving quota");
      }
      await this.updateGuarded("Tenants", TENANT_PK, tenantId.toLowerCase(), (existing) =>
        existing ? { ...strip(existing), usage: next } : undefined,
      );
      return { reserved: change === "reserve", usage: next };
    }
    throw toPortError({ statusCode: 503 }, "reserving quota (kept losing ETag races)");
  }

  /** The counter row, or (data from before the counter) the number of reservation rows. */
  private async readUsage(pk: string): Promise<{ usage: number; counter?: StoredRow }> {
    const counter = await this.read("Index", pk, USAGE_COUNTER_RK);
    if (counter) return { usage: num(counter.count) ?? 0, counter };
    const index = await this.table("Index");
    let usage = 0;
    for await (const _ of index.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ["RowKey"] },
    })) {
      usage += 1;
    }
    return { usage };
  }

  // ---- connections ----

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const row = await this.read("Connections", key(connectionId), CONNECTION_RK);
    return row ? rowToConnection(row) : undefined;
  }

  async saveConnection({ ifNew, ...given }: ConnectionUpdate): Promise<ConnectionRecord> {
    const pk = key(given.connectionId);
    let before: ConnectionRecord | undefined;
    let after: ConnectionRecord | undefined;
    const merge = (existing: StoredRow | undefined): Row => {
      before = existing ? rowToConnection(existing) : undefined;
      const update = before ? given : { ...ifNew, ...given };
      if (!before && (update.state === undefined || update.providerResourceId === undefined)) {
        throw new DomainError(
          "CONNECTION_INCOMPLETE",
          "A new connection row needs state and providerResourceId; record the request first.",
        );
      }
      after = {
        ...before,
        ...(Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)) as Partial<ConnectionRecord>),
        connectionId: before?.connectionId ?? update.connectionId,
        createdAt: before?.createdAt ?? update.updatedAt,
      } as ConnectionRecord;
      return connectionToRow(pk, after);
    };
    // The index rows the new state needs go in before the row that names them, so a row never points at an index
    // entry that a crash left unwritten; unchanged entries are not written again. Leftovers are dropped after.
    await this.updateGuarded("Connections", pk, CONNECTION_RK, merge, () => this.addIndexEntries(pk, before, after!));
    await this.dropIndexEntries(pk, before, after!);
    return after!;
  }

  async listConnections(query: ConnectionQuery): Promise<ConnectionRecord[]> {
    const limit = Math.min(Math.max(query.limit ?? 200, 1), 1000);
    const partition = query.tenantId
      ? `tenant-${query.tenantId.toLowerCase()}`
      : query.providerResourceId
        ? `resource-${key(query.providerResourceId)}`
        : query.privateEndpointId
          ? `endpoint-${key(query.privateEndpointId)}`
          : query.state
            ? `state-${query.state}`
            : undefined;
    const out: ConnectionRecord[] = [];
    if (partition === undefined) {
      // No filter: the connections table itself, paged.
      const connections = await this.table("Connections");
      for await (const row of connections.listEntities({
        queryOptions: { filter: odata`RowKey eq ${CONNECTION_RK}` },
      })) {
        out.push(rowToConnection(row));
        if (out.length >= limit) break;
      }
      return out;
    }
    const index = await this.table("Index");
    const filter = query.state
      ? odata`PartitionKey eq ${partition} and state eq ${query.state}`
      : odata`PartitionKey eq ${partition}`;
    for await (const pointer of index.listEntities({ queryOptions: { filter } })) {
      const record = await this.read("Connections", String(pointer.rowKey), CONNECTION_RK);
      if (!record) continue;
      const connection = rowToConnection(record);
      if (matches(connection, query)) out.push(connection);
      if (out.length >= limit) break;
    }
    return out;
  }

  async pageConnections(pageSize: number, continuation?: string): Promise<ConnectionPage> {
    const connections = await this.table("Connections");
    const size = Math.min(Math.max(pageSize, 1), 1000);
    // The token is the last partition key we returned: the next page starts after it (keys sort as text).
    const filter =
      continuation === undefined
        ? odata`RowKey eq ${CONNECTION_RK}`
        : odata`RowKey eq ${CONNECTION_RK} and PartitionKey gt ${continuation}`;
    const records: ConnectionRecord[] = [];
    let last: string | undefined;
    for await (const row of connections.listEntities({ queryOptions: { filter } })) {
      records.push(rowToConnection(row));
      last = String(row.partitionKey);
      if (records.length >= size) break;
    }
    return records.length >= size && last !== undefined ? { records, continuation: last } : { records };
  }

  // ---- audit ----

  async appendAudit(entry: AuditEntry): Promise<boolean> {
    const audit = await this.table("Audit");
    const pk = key(entry.connectionId);
    const step = stepMarker(entry.stepId);
    const row: Row = {
      partitionKey: pk,
      rowKey: `${invertedTime(entry.at)}-${randomUUID()}`,
      connectionId: entry.connectionId,
      stepId: entry.stepId,
      at: entry.at,
      kind: entry.kind,
      actor: entry.actor,
      message: cap(entry.message),
      ...(entry.data ? { data: dataText(entry.data) } : {}),
    };
    try {
      // The marker and the entry land together or not at all: a retried step finds the marker and adds nothing.
      await audit.submitTransaction([
        ["create", { partitionKey: pk, rowKey: step, entryRowKey: row.rowKey }],
        ["create", row],
      ]);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw toPortError(error, "appending to the audit log");
    }
  }

  async hasAuditStep(connectionId: string, stepId: string): Promise<boolean> {
    return (await this.read("Audit", key(connectionId), stepMarker(stepId))) !== undefined;
  }

  async listAudit(connectionId: string, limit = 200): Promise<AuditEntry[]> {
    const audit = await this.table("Audit");
    const pk = key(connectionId);
    const out: AuditEntry[] = [];
    // Entry rows sort before "step-" markers and newest first thanks to the inverted time.
    for await (const row of audit.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey lt ${"step-"}` },
    })) {
      out.push({
        connectionId: String(row.connectionId),
        stepId: String(row.stepId),
        at: String(row.at),
        kind: String(row.kind) as AuditEntry["kind"],
        actor: String(row.actor),
        message: String(row.message),
        ...(typeof row.data === "string" ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  // ---- sweeps ----

  async saveSweepReport(report: SweepReport): Promise<void> {
    const table = await this.table("Sweeps");
    const row: Row = { partitionKey: report.kind, rowKey: SWEEP_RK, report: JSON.stringify(report) };
    await this.safe(() => table.upsertEntity(row, "Replace"), "saving the sweep report");
  }

  async getSweepReport(kind: SweepKind): Promise<SweepReport | undefined> {
    const row = await this.read("Sweeps", kind, SWEEP_RK);
    return row ? ((JSON.parse(textOf(row.report, "null")) as SweepReport | null) ?? undefined) : undefined;
  }

  async ping(): Promise<void> {
    const tenants = await this.table("Tenants");
    await this.safe(async () => {
      for await (const page of tenants
        .listEntities({ queryOptions: { select: ["RowKey"] } })
        .byPage({ maxPageSize: 1 })) {
        void page;
        break;
      }
    }, "answering a health probe");
  }

  // ---- helpers ----

  /**
   * The index partitions a connection belongs to. Each entry carries the state, so a state change rewrites them
   * all; otherwise only the partitions it newly belongs to are written. A stale entry (a crash between the index
   * and the row) costs a read, never a wrong answer: listConnections checks every row against the query.
   */
  private async addIndexEntries(
    pk: string,
    before: ConnectionRecord | undefined,
    after: ConnectionRecord,
  ): Promise<void> {
    const index = await this.table("Index");
    const had = new Set(before?.state === after.state ? indexPartitions(before) : []);
    const writes = indexPartitions(after).filter((partition) => !had.has(partition));
    await Promise.all(
      writes.map((partition) =>
        this.safe(
          () => index.upsertEntity({ partitionKey: partition, rowKey: pk, state: after.state }, "Replace"),
          "updating an index",
        ),
      ),
    );
  }

  private async dropIndexEntries(
    pk: string,
    before: ConnectionRecord | undefined,
    after: ConnectionRecord,
  ): Promise<void> {
    const index = await this.table("Index");
    const next = indexPartitions(after);
    const stale = indexPartitions(before).filter((partition) => !next.includes(partition));
    await Promise.all(stale.map((partition) => this.deleteQuietly(index, partition, pk)));
  }

  /** Points each of the tenant's subscriptions at it, and drops the ones it no longer has. */
  private async reindexTenant(tenant: Tenant, previous: StoredRow | undefined): Promise<void> {
    const before: string[] = previous ? (JSON.parse(textOf(previous.subscriptions, "[]")) as string[]) : [];
    await this.indexSubscriptions(tenant.tenantId, tenant.subscriptions, before);
  }

  private async indexSubscriptions(tenantId: string, subscriptions: readonly string[], before: readonly string[]) {
    const rk = tenantId.toLowerCase();
    const tenants = await this.table("Tenants");
    const now = new Set(subscriptions.map((s) => s.toLowerCase()));
    for (const sub of now) {
      await this.safe(
        () => tenants.upsertEntity({ partitionKey: `subscription-${sub}`, rowKey: rk }, "Replace"),
        "indexing a subscription",
      );
    }
    for (const sub of before.filter((s) => !now.has(s.toLowerCase()))) {
      await this.deleteQuietly(tenants, `subscription-${sub.toLowerCase()}`, rk);
    }
  }

  /**
   * The subscription index lives beside the tenants (a small table), where looking a subscription up reads only
   * tenant-sized data: in the Index table, beside a row per connection, Azurite scanned every row for each review.
   * Data written before that move gets its index rebuilt from the tenant rows once, then a marker row says so.
   */
  private subscriptionIndexReady(): Promise<void> {
    this.subscriptionIndex ??= this.buildSubscriptionIndex().catch((error: unknown) => {
      this.subscriptionIndex = undefined;
      throw error;
    });
    return this.subscriptionIndex;
  }

  private async buildSubscriptionIndex(): Promise<void> {
    if (await this.read("Tenants", META_PK, SUBSCRIPTION_INDEX_RK)) return;
    const tenants = await this.table("Tenants");
    for await (const row of tenants.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${TENANT_PK}` } })) {
      const tenant = rowToTenant(row);
      await this.indexSubscriptions(tenant.tenantId, tenant.subscriptions, []);
    }
    await this.safe(
      () => tenants.upsertEntity({ partitionKey: META_PK, rowKey: SUBSCRIPTION_INDEX_RK }, "Replace"),
      "marking the subscription index built",
    );
  }

  private async read(name: TableName, pk: string, rk: string): Promise<StoredRow | undefined> {
    const table = await this.table(name);
    try {
      return await table.getEntity<Record<string, unknown>>(pk, rk);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toPortError(error, `reading ${name}`);
    }
  }

  /**
   * Read-modify-write guarded by ETag: on 412 (someone wrote in between) or 409 (someone created first) read
   * again and re-apply. `change` returns the new row, or undefined to leave the row alone. Returns the previous row.
   */
  private async updateGuarded(
    name: TableName,
    pk: string,
    rk: string,
    change: (existing: StoredRow | undefined) => Row | undefined,
    beforeWrite?: () => Promise<void>,
  ): Promise<StoredRow | undefined> {
    const table = await this.table(name);
    for (let attempt = 0; attempt < MAX_ETAG_RETRIES; attempt++) {
      const existing = await this.read(name, pk, rk);
      const next = change(existing);
      if (!next) return existing;
      await beforeWrite?.();
      try {
        if (existing) await table.updateEntity(next, "Replace", { etag: existing.etag });
        else await table.createEntity(next);
        return existing;
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 409) continue;
        throw toPortError(error, `writing ${name}`);
      }
    }
    throw toPortError({ statusCode: 503 }, `writing ${name} (kept losing ETag races)`);
  }

  private async deleteQuietly(table: TableClient, pk: string, rk: string): Promise<void> {
    try {
      await table.deleteEntity(pk, rk);
    } catch (error) {
      if (statusOf(error) !== 404) throw toPortError(error, "deleting an index row");
    }
  }

  private async safe<T>(work: () => Promise<T>, what: string): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toPortError(error, what);
    }
  }
}

/** OData filter text with quoted literals (data-tables' odata helper, without loading the SDK at import). */
export function odata(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < values.length ? `'${values[i]!.replace(/'/g, "''")}'` : ""),
    "",
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The row key of the marker that makes an audit step land once. */
function stepMarker(stepId: string): string {
  return `step-${Buffer.from(stepId, "utf8").toString("base64url").slice(0, 512)}`;
}

/** The index partitions a recorded connection is listed under (none for no record). */
function indexPartitions(r: ConnectionRecord | undefined): string[] {
  if (!r) return [];
  return [
    `state-${r.state}`,
    `resource-${key(r.providerResourceId)}`,
    ...(r.tenantId ? [`tenant-${r.tenantId.toLowerCase()}`] : []),
    ...(r.privateEndpointId ? [`endpoint-${key(r.privateEndpointId)}`] : []),
  ];
}

function key(armId: string): string {
  return encodeKey(normaliseArmId(armId));
}

function invertedTime(iso: string): string {
  const ms = Date.parse(iso);
  const safe = Number.isFinite(ms) ? ms : 0;
  return String(99_999_999_999_999 - safe).padStart(14, "0");
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Audit data as JSON that always parses back: past the cap, the largest values (a long policy trace) give way first
 * and are named in `truncated`, so the small ones (a decision) survive. Cutting the JSON text would make it unreadable.
 */
function dataText(data: Record<string, unknown>): string {
  const whole = json(data);
  if (whole.length <= MAX_STRING) return whole;
  const sized = Object.entries(data)
    .map(([name, value]) => ({ name, value, size: name.length + (json(value)?.length ?? 0) + 4 }))
    .sort((a, b) => a.size - b.size);
  const kept: Record<string, unknown> = {};
  const truncated: string[] = [];
  // Room for the list of dropped names (keys are short).
  let used = 2 + 64 + json(Object.keys(data)).length;
  for (const { name, value, size } of sized) {
    if (used + size <= MAX_STRING) {
      kept[name] = value;
      used += size;
    } else {
      truncated.push(name);
    }
  }
  return json({ ...kept, truncated });
}

function cap(text: string): string {
  return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
}

function strip(row: StoredRow): Row {
  const { etag: _etag, timestamp: _timestamp, ...rest } = row;
  return rest as Row;
}

function textOf(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function num(value: unknown): number | undefined {
  // Int64 values come back as bigint; the counts we keep fit a number.
  if (typeof value === "bigint") return Number(value);
  return typeof value === "number" ? value : undefined;
}

function tenantAuditPartition(tenantId: string): string {
  // Connection partitions start with "_subscriptions": a tenant's never collides with them.
  return `tenant-${tenantId.toLowerCase()}`;
}

function tenantToRow(tenant: Tenant, usage: number): Row {
  return {
    partitionKey: TENANT_PK,
    rowKey: tenant.tenantId.toLowerCase(),
    tenantId: tenant.tenantId,
    displayName: tenant.displayName,
    status: tenant.status,
    subscriptions: json(tenant.subscriptions.map((s) => s.toLowerCase())),
    approvers: json(tenant.approvers),
    ...(tenant.quota !== undefined ? { quota: tenant.quota } : {}),
    usage,
    ...(tenant.tags ? { tags: json(tenant.tags) } : {}),
    ...(tenant.teamsWebhookUrl ? { teamsWebhookUrl: tenant.teamsWebhookUrl } : {}),
    ...(tenant.approvalChannels ? { approvalChannels: json(tenant.approvalChannels) } : {}),
  };
}

function rowToTenant(row: StoredRow): Tenant {
  const quota = num(row.quota);
  const tags = str(row.tags);
  return {
    tenantId: textOf(row.tenantId, textOf(row.rowKey, "")),
    displayName: textOf(row.displayName, ""),
    status: textOf(row.status, "active") as Tenant["status"],
    subscriptions: JSON.parse(textOf(row.subscriptions, "[]")) as string[],
    approvers: JSON.parse(textOf(row.approvers, "[]")) as string[],
    ...(quota !== undefined ? { quota } : {}),
    usage: num(row.usage) ?? 0,
    ...(tags ? { tags: JSON.parse(tags) as Record<string, string> } : {}),
    ...(str(row.teamsWebhookUrl) ? { teamsWebhookUrl: str(row.teamsWebhookUrl) } : {}),
    ...(str(row.approvalChannels)
      ? { approvalChannels: JSON.parse(str(row.approvalChannels)!) as Tenant["approvalChannels"] }
      : {}),
  };
}

const JSON_FIELDS = new Set(["dnsRecords", "groupIds"]);

function connectionToRow(pk: string, record: ConnectionRecord): Row {
  const row: Row = { partitionKey: pk, rowKey: CONNECTION_RK };
  for (const [field, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const stored: unknown = JSON_FIELDS.has(field) ? json(value) : value;
    if (typeof stored === "string" && stored.length > MAX_STRING) {
      throw new PermanentError(
        PermanentCodes.storage,
        `The connection's ${field} is too large to record (over 64 KiB).`,
      );
    }
    row[field] = stored;
  }
  return row;
}

function rowToConnection(row: StoredRow): ConnectionRecord {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(strip(row))) {
    if (field === "partitionKey" || field === "rowKey") continue;
    out[field] =
      JSON_FIELDS.has(field) && typeof value === "string"
        ? JSON.parse(value)
        : typeof value === "bigint"
          ? Number(value)
          : value;
  }
  return out as unknown as ConnectionRecord;
}

function matches(record: ConnectionRecord, query: ConnectionQuery): boolean {
  const same = (a: string | undefined, b: string | undefined): boolean =>
    b === undefined || (a !== undefined && normaliseArmId(a) === normaliseArmId(b));
  return (
    (query.state === undefined || record.state === query.state) &&
    (query.tenantId === undefined || record.tenantId?.toLowerCase() === query.tenantId.toLowerCase()) &&
    same(record.providerResourceId, query.providerResourceId) &&
    same(record.privateEndpointId, query.privateEndpointId)
  );
}
