import type { OrchestrationClient } from "../../src/app/orchestration-client";

/** Durable instances in memory: ids → runtime status, with every start recorded. */
export class FakeOrchestrationClient implements OrchestrationClient {
  readonly instances = new Map<string, string>();
  readonly starts: { name: string; instanceId: string; input: unknown }[] = [];
  /** Custom status steps by instance id (what a running review says it is doing). */
  readonly steps = new Map<string, string>();
  readonly terminated: { instanceId: string; reason: string }[] = [];
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

  async getStatus(instanceId: string): Promise<{ runtimeStatus: string; step?: string } | undefined> {
    const runtimeStatus = await this.getRuntimeStatus(instanceId);
    const step = this.steps.get(instanceId);
    return runtimeStatus ? { runtimeStatus, ...(step ? { step } : {}) } : undefined;
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    this.terminated.push({ instanceId, reason });
    this.instances.set(instanceId, "Terminated");
  }
}
