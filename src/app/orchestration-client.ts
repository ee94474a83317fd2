import type { DurableClient } from "durable-functions";

/** The slice of the durable client the app services use; tests give a fake, functions wrap the real one. */
export interface OrchestrationClient {
  /** undefined when no instance has that id. */
  getRuntimeStatus(instanceId: string): Promise<string | undefined>;
  startNew(name: string, instanceId: string, input: unknown): Promise<void>;
}

const TERMINAL = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

export function isTerminal(runtimeStatus: string): boolean {
  return TERMINAL.has(runtimeStatus);
}

/** Adapts durable-functions' DurableClient (its getStatus throws on 404 rather than answering "none"). */
export function fromDurableClient(client: DurableClient): OrchestrationClient {
  return {
    async getRuntimeStatus(instanceId) {
      try {
        const status = await client.getStatus(instanceId);
        return status?.runtimeStatus ? String(status.runtimeStatus) : undefined;
      } catch (error) {
        if (/\b404\b/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    async startNew(name, instanceId, input) {
      await client.startNew(name, { instanceId, input });
    },
  };
}
