import type { TableClient, TableEntity, TransactionAction } from "@azure/data-tables";

type Row = TableEntity<Record<string, unknown>>;

interface Waiting {
  row: Row;
  chars: number;
  settle: { resolve(): void; reject(err: unknown): void }[];
}

/** Real Table Storage limits for one entity-group transaction: 100 operations and a 4 MiB body. */
const OPERATIONS_PER_BATCH = 100;
const CHARS_PER_BATCH = 1_500_000; // UTF-16 and JSON escaping can double a character: stays under 4 MiB

/**
 * Group commit: a write waits while its partition's previous transaction is in flight, then goes out with every
 * other write that waited meanwhile, in one entity-group transaction. A lone write costs what it did before (one
 * upsert, no wait); under load many instances' saves share one round trip. A write resolves only once the service
 * has its row, so a caller that awaits it is as durable as with a single upsert.
 */
export class GroupCommit {
  private readonly waiting = new Map<string, Map<string, Waiting>>();
  private readonly flushing = new Set<string>();

  constructor(private readonly client: Pick<TableClient, "upsertEntity" | "submitTransaction">) {}

  upsert(row: Row): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const partition = this.waiting.get(row.partitionKey) ?? new Map<string, Waiting>();
      this.waiting.set(row.partitionKey, partition);
      const earlier = partition.get(row.rowKey);
      // A transaction may not name one row twice; the newer version replaces the older, and both callers wait for it.
      if (earlier) Object.assign(earlier, { row, chars: charsOf(row) }).settle.push({ resolve, reject });
      else partition.set(row.rowKey, { row, chars: charsOf(row), settle: [{ resolve, reject }] });
      if (!this.flushing.has(row.partitionKey)) void this.flush(row.partitionKey);
    });
  }

  private async flush(partitionKey: string): Promise<void> {
    this.flushing.add(partitionKey);
    try {
      const partition = this.waiting.get(partitionKey)!;
      while (partition.size > 0) await this.commit(take(partition));
      this.waiting.delete(partitionKey);
    } finally {
      this.flushing.delete(partitionKey);
    }
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const [only] = batch;
    try {
      if (only && batch.length === 1) await this.client.upsertEntity(only.row, "Replace");
      else await this.client.submitTransaction(batch.map((w): TransactionAction => ["upsert", w.row, "Replace"]));
      for (const w of batch) for (const s of w.settle) s.resolve();
    } catch (err) {
      if (only && batch.length === 1) for (const s of only.settle) s.reject(err);
      // One bad row must not fail its neighbours: each is written alone and keeps its own outcome.
      else for (const w of batch) await this.commit([w]);
    }
  }
}

/** The oldest waiting writes that fit in one transaction, removed from the partition's queue. */
function take(partition: Map<string, Waiting>): Waiting[] {
  const batch: Waiting[] = [];
  let chars = 0;
  for (const [rowKey, w] of partition) {
    if (batch.length === OPERATIONS_PER_BATCH || (batch.length > 0 && chars + w.chars > CHARS_PER_BATCH)) break;
    batch.push(w);
    chars += w.chars;
    partition.delete(rowKey);
  }
  return batch;
}

function charsOf(row: Row): number {
  let chars = 0;
  for (const value of Object.values(row)) chars += typeof value === "string" ? value.length : 16;
  return chars;
}
