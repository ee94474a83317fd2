import type { DurableClient } from "durable-functions";
import type { ReviewProgress } from "../workflow/contracts";
import type { ReviewControl } from "./approval-service";

/** The slice of the durable client the app services use; tests give a fake, functions wrap the real one. */
export interface OrchestrationClient {
  /** undefined when no instance has that id. */
  getRuntimeStatus(instanceId: string): Promise<string | undefined>;
  startNew(name: string, instanceId: string, input: unknown): Promise<void>;
  /** The runtime status and the step the instance's custom status names; undefined when no such instance. */
  getStatus(instanceId: string): Promise<{ runtimeStatus: string; step?: string } | undefined>;
  /** Ends a running instance, saying why (recorded in its history). */
  terminate(instanceId: string, reason: string): Promise<void>;
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
    async getStatus(instanceId) {
      const status = await reviewControlFrom(client).status(instanceId);
      return status
        ? { runtimeStatus: status.runtimeStatus, ...(status.customStatus ? { step: status.customStatus.step } : {}) }
        : undefined;
    },
    async terminate(instanceId, reason) {
      await client.terminate(instanceId, reason);
    },
  };
}

/** What deciding needs from the durable client: a review's status (with its custom status) and raising its event. */
export function reviewControlFrom(client: DurableClient): ReviewControl {
  return {
    async status(instanceId) {
      try {
        const status = await client.getStatus(instanceId);
        if (!status?.runtimeStatus) return undefined;
        return {
          runtimeStatus: String(status.runtimeStatus),
          ...(isProgress(status.customStatus) ? { customStatus: status.customStatus } : {}),
        };
      } catch (error) {
        if (/\b404\b/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    async raiseEvent(instanceId, eventName, body) {
      await client.raiseEvent(instanceId, eventName, body);
    },
  };
}

function isProgress(value: unknown): value is ReviewProgress {
  return typeof value === "object" && value !== null && typeof (value as { step?: unknown }).step === "string";
}
