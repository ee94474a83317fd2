import { summaryOf, type DurableStore, type InstanceState, type InstanceSummary } from "./instance-state";

/** Keeps serialised copies, so callers cannot share mutable state with the store (as with a real one). */
export class MemoryStore implements DurableStore {
  private readonly rows = new Map<string, string>();

  async load(instanceId: string): Promise<InstanceState | undefined> {
    const text = this.rows.get(instanceId);
    return text === undefined ? undefined : (JSON.parse(text) as InstanceState);
  }
  async save(state: InstanceState): Promise<void> {
    this.rows.set(state.instanceId, JSON.stringify(state));
  }
  async remove(instanceId: string): Promise<boolean> {
    return this.rows.delete(instanceId);
  }
  async list(): Promise<InstanceSummary[]> {
    return [...this.rows.values()].map((t) => summaryOf(JSON.parse(t) as InstanceState));
  }
  async close(): Promise<void> {}
}
