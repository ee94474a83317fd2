import { odata, TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { GroupCommit } from "./group-commit";
import type { DurableStore, InstanceFilter, InstanceState, InstanceSummary, RuntimeStatus } from "./instance-state";

/** Real Table Storage limits (Azurite does not enforce them all): 64 KiB per string (UTF-16), 100 ops per batch. */
const CHARS_PER_PROPERTY = 30_000;
const PROPERTIES_PER_ROW = 4;
const ROWS_PER_BATCH = 12; // keeps a batch well under the service's 4 MiB payload limit

interface HeadEntity {
  instanceId: string;
  name: string;
  status: string;
  createdTime: string;
  lastUpdatedTime: string;
  generation: number;
  /** 0: the state is in this row's d0..d3 (most instances); otherwise the chunk rows of `generation` hold it. */
  chunks: number;
}

/** Where an instance's current state lives, remembered so a save deletes the old rows by key, without a query. */
type Layout = Pick<HeadEntity, "generation" | "chunks">;

/** Marks head rows, so a listing skips chunk rows in the query itself. */
const HEAD = "head";

const SUMMARY: (keyof HeadEntity)[] = ["instanceId", "name", "status", "createdTime", "lastUpdatedTime"];

/** Table name from the task hub: letters and digits only, starting with a letter, 3–63 characters. */
export function tableNameForHub(hubName: string): string {
  const clean = hubName.replace(/[^A-Za-z0-9]/g, "");
  const base = /^[A-Za-z]/.test(clean) ? clean : `h${clean}`;
  return `${base}Instances`.slice(0, 63);
}

/** Keys may not hold / \\ # ? or control characters; instance ids may, so keys are base64url. */
export function keyFor(instanceId: string): string {
  return Buffer.from(instanceId, "utf8").toString("base64url") || "-";
}

/**
 * Instances are spread over a fixed number of partitions by a hash of their id. Within one partition, the saves of
 * all instances in flight share one entity-group transaction (a transaction holds one partition only), so under load
 * the host writes a batch of heads per round trip instead of one. More than one partition because Azurite finds a
 * row by scanning its partition: with every head in one, a point read at 20,000 instances took ten times as long as
 * with a partition each.
 */
const PARTITIONS = 16;

export function partitionFor(instanceId: string): string {
  let hash = 0x811c9dc5; // FNV-1a: stable across processes and versions, unlike any built-in hash
  for (let i = 0; i < instanceId.length; i++) hash = Math.imul(hash ^ instanceId.charCodeAt(i), 0x01000193);
  return `p${(hash >>> 0) % PARTITIONS}`;
}

/**
 * An instance is a `head` row (row key: the instance's key) holding the summary and, when it fits (nearly always), the
 * JSON state itself, so a save is one row and a load one point read. Heads are written through a group commit: under
 * load, the saves of many instances in one partition go out together. Larger state goes to chunk rows of a new
 * generation (row keys `<key>~c<generation>-<n>`, after the head's), written before the head flips to them; the old
 * generation's rows are deleted by key afterwards, so a crash at any point leaves a readable instance.
 */
export class TableStore implements DurableStore {
  private readonly client: TableClient;
  private readonly heads: GroupCommit;
  private readonly layouts = new Map<string, Layout>();

  private constructor(client: TableClient) {
    this.client = client;
    this.heads = new GroupCommit(client);
  }

  static async open(connectionString: string, hubName: string): Promise<TableStore> {
    const client = TableClient.fromConnectionString(connectionString, tableNameForHub(hubName), {
      allowInsecureConnection: true,
    });
    await client.createTable();
    return new TableStore(client);
  }

  async load(instanceId: string): Promise<InstanceState | undefined> {
    const pk = partitionFor(instanceId);
    const key = keyFor(instanceId);
    const head = await this.get(pk, key);
    if (!head) {
      // Known absent: the save that usually follows (a new instance) need not ask again.
      this.layouts.set(instanceId, { generation: 0, chunks: 0 });
      return undefined;
    }
    const rows =
      head.chunks === 0
        ? [head]
        : await Promise.all(
            chunkKeys(key, head).map(async (rk) => (await this.get(pk, rk)) ?? missing(instanceId, head)),
          );
    this.layouts.set(instanceId, { generation: Number(head.generation), chunks: Number(head.chunks) });
    return JSON.parse(rows.map(textOf).join("")) as InstanceState;
  }

  async save(state: InstanceState): Promise<void> {
    const pk = partitionFor(state.instanceId);
    const key = keyFor(state.instanceId);
    const previous = this.layouts.get(state.instanceId) ?? (await this.get(pk, key));

    const parts = split(JSON.stringify(state), CHARS_PER_PROPERTY);
    const generation = (previous ? Number(previous.generation) : 0) + 1;
    const inline = parts.length <= PROPERTIES_PER_ROW;
    const chunks = inline ? [] : rowsOf(pk, key, generation, parts);
    for (let i = 0; i < chunks.length; i += ROWS_PER_BATCH) {
      await this.client.submitTransaction(chunks.slice(i, i + ROWS_PER_BATCH).map((e) => upsert(e)));
    }
    await this.heads.upsert({
      partitionKey: pk,
      rowKey: key,
      kind: HEAD,
      ...Object.fromEntries(SUMMARY.map((k) => [k, state[k as keyof InstanceState]])),
      generation,
      chunks: chunks.length,
      ...(inline ? properties(parts) : {}),
    });
    this.layouts.set(state.instanceId, { generation, chunks: chunks.length });
    // The head no longer points at the old generation: its rows are garbage, deleted by key (a crash leaves them
    // unread, and remove() still finds them).
    const stale = previous && Number(previous.chunks) > 0 ? chunkKeys(key, previous) : [];
    for (const batch of batches(stale, 100)) {
      await this.client
        .submitTransaction(batch.map((rk): TransactionAction => ["delete", { partitionKey: pk, rowKey: rk }]))
        .catch(() => undefined); // already gone (a retried save): nothing to do
    }
  }

  async remove(instanceId: string): Promise<boolean> {
    const pk = partitionFor(instanceId);
    const key = keyFor(instanceId);
    // The head and its chunk rows: '~' sorts after every base64url character, so no other instance's key falls here.
    const deleted = await this.deleteRows(
      pk,
      odata`PartitionKey eq ${pk} and RowKey ge ${key} and RowKey le ${`${key}~~`}`,
      (rk) => rk === key || rk.startsWith(`${key}~`),
    );
    this.layouts.delete(instanceId);
    return deleted.includes(key);
  }

  /** The heads' summaries only (no state), with the status and creation-time filters in the query itself. */
  async list(filter: InstanceFilter = {}): Promise<InstanceSummary[]> {
    const clauses = [odata`kind eq ${HEAD}`];
    if (filter.statuses) clauses.push(`(${filter.statuses.map((s) => odata`status eq ${s}`).join(" or ")})`);
    if (filter.from !== undefined) clauses.push(odata`createdTime ge ${new Date(filter.from).toISOString()}`);
    if (filter.to !== undefined) clauses.push(odata`createdTime le ${new Date(filter.to).toISOString()}`);
    const out: InstanceSummary[] = [];
    const rows = this.client.listEntities<HeadEntity>({
      queryOptions: { filter: clauses.join(" and "), select: SUMMARY },
    });
    for await (const h of rows) {
      out.push({
        instanceId: h.instanceId,
        name: h.name,
        status: h.status as RuntimeStatus,
        createdTime: h.createdTime,
        lastUpdatedTime: h.lastUpdatedTime,
      });
    }
    return out;
  }

  async close(): Promise<void> {}

  private async get(pk: string, rowKey: string): Promise<(HeadEntity & Record<string, unknown>) | undefined> {
    try {
      return await this.client.getEntity<HeadEntity & Record<string, unknown>>(pk, rowKey);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Deletes the partition's rows matching the filter (in transactions of at most 100) and returns their keys. */
  private async deleteRows(pk: string, filter: string, mine: (rowKey: string) => boolean): Promise<string[]> {
    const keys: string[] = [];
    for await (const row of this.client.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
      if (mine(String(row.rowKey))) keys.push(String(row.rowKey));
    }
    for (const batch of batches(
      keys.map((rk): TransactionAction => ["delete", { partitionKey: pk, rowKey: rk }]),
      100,
    )) {
      await this.client.submitTransaction(batch);
    }
    return keys;
  }
}

const upsert = (e: TableEntity<Record<string, unknown>>): TransactionAction => ["upsert", e, "Replace"];

function split(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let offset = 0; offset < text.length || parts.length === 0; offset += size)
    parts.push(text.slice(offset, offset + size));
  return parts;
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const properties = (parts: string[]) => Object.fromEntries(parts.map((p, i) => [`d${i}`, p]));

function textOf(row: Record<string, unknown>): string {
  let text = "";
  for (let i = 0; i < PROPERTIES_PER_ROW; i++) {
    const part = row[`d${i}`];
    if (typeof part === "string") text += part;
  }
  return text;
}

/** Chunk rows of one generation, each holding up to PROPERTIES_PER_ROW parts. */
function rowsOf(pk: string, key: string, generation: number, parts: string[]): TableEntity<Record<string, unknown>>[] {
  return batches(parts, PROPERTIES_PER_ROW).map((rowParts, n) => ({
    partitionKey: pk,
    rowKey: chunkKey(key, generation, n),
    ...properties(rowParts),
  }));
}

function chunkKeys(key: string, layout: Layout): string[] {
  return Array.from({ length: Number(layout.chunks) }, (_, n) => chunkKey(key, Number(layout.generation), n));
}

function chunkKey(key: string, generation: number, n: number): string {
  return `${key}~c${String(generation).padStart(10, "0")}-${String(n).padStart(5, "0")}`;
}

function missing(instanceId: string, head: Layout): never {
  throw new Error(
    `Durable state of ${instanceId} is incomplete (a chunk of generation ${head.generation} is missing).`,
  );
}
