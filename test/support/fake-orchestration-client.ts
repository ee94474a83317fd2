import type { OrchestrationClient } from "../../src/app/orchestration-client";

/** Durable instances in memory: ids → runtime status, with every start recorded. */
export class FakeOrchestrationClient implements OrchestrationClient {
  readonly instances = new Map<string, string>();
  readonly starts: { name: string; instanceId: string; input: unknown }[] = [];
  /** When set, startNew fails as the host does for an id that is already running. */
  raceOnStart = false;
  unreachable = false;

  async getRuntimeStatus(instanceId: string): Promise<string | undefined> {
    if (this.unreachable) throw new Error("connect ECONNREFUSED 127.0.0.1:7071");
    return this.instances.get(instanceId);
  }

  async startNew(name: string, instanceId: string, input: unknown): Promise<void> {
    if (this.raceOnStart) {
      this.instances.set(instanceId, "Running");
      throw new Error("An instance with ID ... already exists.");
    }
    this.starts.push({ name, instanceId, input });
    this.instances.set(instanceId, "Running");
  }
}
