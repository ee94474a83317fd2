import { odata, TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import type { DurableStore, InstanceState, InstanceSummary, RuntimeStatus } from "./instance-state";

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
  chunks: number;
}

/** Table name from the task hub: letters and digits only, starting with a letter, 3–63 characters. */
export function tableNameForHub(hubName: string): string {
  const clean = hubName.replace(/[^A-Za-z0-9]/g, "");
  const base = /^[A-Za-z]/.test(clean) ? clean : `h${clean}`;
  return `${base}Instances`.slice(0, 63);
}

/** Keys may not hold / \ # ? or control characters; instance ids may, so keys are base64url. */
export function keyFor(instanceId: string): string {
  return Buffer.from(instanceId, "utf8").toString("base64url") || "-";
}

/**
 * One instance = one partition: a `head` row (summary + which generation of chunks is current) and chunk rows
 * holding the JSON state. A save writes the new generation, then flips the head, then deletes the old one, so a crash
 * at any point leaves a readable instance.
 */
export class TableStore implements DurableStore {
  private readonly client: TableClient;
  private readonly generations = new Map<string, number>();

  private constructor(client: TableClient) {
    this.client = client;
  }

  static async open(connectionString: string, hubName: string): Promise<TableStore> {
    const client = TableClient.fromConnectionString(connectionString, tableNameForHub(hubName), {
      allowInsecureConnection: true,
    });
    await client.createTable();
    return new TableStore(client);
  }

  async load(instanceId: string): Promise<InstanceState | undefined> {
    const pk = keyFor(instanceId);
    const head = await this.head(pk);
    if (!head) return undefined;
    const chunks: { rowKey: string; text: string }[] = [];
    const rows = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: generationFilter(pk, head.generation) },
    });
    for await (const row of rows) {
      let text = "";
      for (let i = 0; i < PROPERTIES_PER_ROW; i++) {
        const part = row[`d${i}`];
        if (typeof part === "string") text += part;
      }
      chunks.push({ rowKey: String(row.rowKey), text });
    }
    if (chunks.length !== head.chunks) {
      throw new Error(`Durable state of ${instanceId} is incomplete (${chunks.length}/${head.chunks} chunks).`);
    }
    chunks.sort((a, b) => a.rowKey.localeCompare(b.rowKey));
    this.generations.set(instanceId, head.generation);
    return JSON.parse(chunks.map((c) => c.text).join("")) as InstanceState;
  }

  async save(state: InstanceState): Promise<void> {
    const pk = keyFor(state.instanceId);
    const previous = this.generations.get(state.instanceId) ?? (await this.head(pk))?.generation;
    const generation = (previous ?? 0) + 1;
    const text = JSON.stringify(state);
    const rowSize = CHARS_PER_PROPERTY * PROPERTIES_PER_ROW;
    const rows: TableEntity<Record<string, unknown>>[] = [];
    for (let offset = 0, n = 0; offset < text.length || n === 0; offset += rowSize, n++) {
      const entity: TableEntity<Record<string, unknown>> = {
        partitionKey: pk,
        rowKey: `${chunkPrefix(generation)}${String(n).padStart(5, "0")}`,
      };
      const slice = text.slice(offset, offset + rowSize);
      for (let i = 0; i * CHARS_PER_PROPERTY < slice.length; i++) {
        entity[`d${i}`] = slice.slice(i * CHARS_PER_PROPERTY, (i + 1) * CHARS_PER_PROPERTY);
      }
      rows.push(entity);
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_BATCH) {
      await this.client.submitTransaction(
        rows.slice(i, i + ROWS_PER_BATCH).map((e): TransactionAction => ["upsert", e, "Replace"]),
      );
    }
    const head: TableEntity<HeadEntity> = {
      partitionKey: pk,
      rowKey: "head",
      instanceId: state.instanceId,
      name: state.name,
      status: state.status,
      createdTime: state.createdTime,
      lastUpdatedTime: state.lastUpdatedTime,
      generation,
      chunks: rows.length,
    };
    await this.client.upsertEntity(head, "Replace");
    this.generations.set(state.instanceId, generation);
    if (previous !== undefined) await this.deleteRows(pk, generationFilter(pk, previous));
  }

  async remove(instanceId: string): Promise<boolean> {
    const pk = keyFor(instanceId);
    const deleted = await this.deleteRows(pk, odata`PartitionKey eq ${pk}`);
    this.generations.delete(instanceId);
    return deleted.includes("head");
  }

  async list(): Promise<InstanceSummary[]> {
    const out: InstanceSummary[] = [];
    for await (const h of this.client.listEntities<HeadEntity>({
      queryOptions: { filter: odata`RowKey eq ${"head"}` },
    })) {
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

  private async head(pk: string): Promise<HeadEntity | undefined> {
    try {
      return await this.client.getEntity<HeadEntity>(pk, "head");
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Deletes the partition's rows matching the filter (in transactions of at most 100) and returns their keys. */
  private async deleteRows(pk: string, filter: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const row of this.client.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
      keys.push(String(row.rowKey));
    }
    for (let i = 0; i < keys.length; i += 100) {
      await this.client.submitTransaction(
        keys.slice(i, i + 100).map((rk): TransactionAction => ["delete", { partitionKey: pk, rowKey: rk }]),
      );
    }
    return keys;
  }
}

/** The rows of one generation of an instance's chunks. */
function generationFilter(pk: string, generation: number): string {
  const prefix = chunkPrefix(generation);
  return odata`PartitionKey eq ${pk} and RowKey ge ${prefix} and RowKey lt ${prefix + "~"}`;
}

function chunkPrefix(generation: number): string {
  return `c${String(generation).padStart(10, "0")}-`;
}
