import { summaryOf, type DurableStore, type InstanceState, type InstanceSummary } from "./instance-state";

/**
 * Keeps serialised copies, so callers cannot share mutable state with the store (as with a real one); the summary
 * is kept beside them so listing does not parse every instance's history.
 */
export class MemoryStore implements DurableStore {
  private readonly rows = new Map<string, { text: string; summary: InstanceSummary }>();

  async load(instanceId: string): Promise<InstanceState | undefined> {
    const row = this.rows.get(instanceId);
    return row === undefined ? undefined : (JSON.parse(row.text) as InstanceState);
  }
  async save(state: InstanceState): Promise<void> {
    this.rows.set(state.instanceId, { text: JSON.stringify(state), summary: summaryOf(state) });
  }
  async remove(instanceId: string): Promise<boolean> {
    return this.rows.delete(instanceId);
  }
  async list(): Promise<InstanceSummary[]> {
    return [...this.rows.values()].map((r) => ({ ...r.summary }));
  }
  async close(): Promise<void> {}
}
