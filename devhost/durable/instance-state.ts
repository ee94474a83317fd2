import type { HistoryEvent, RetryOptionsJson } from "./history";

export type RuntimeStatus =
  "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Terminated" | "Suspended";

export const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  "Pending",
  "Running",
  "Completed",
  "ContinuedAsNew",
  "Failed",
  "Terminated",
  "Suspended",
];

export const TERMINAL: readonly RuntimeStatus[] = ["Completed", "Failed", "Terminated"];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL.includes(status);
}

/** What one leaf action of the orchestrator became; slot i answers the i-th leaf action on every replay. */
export interface Slot {
  kind: "activity" | "subOrchestration" | "timer" | "event" | "continueAsNew";
  name: string;
  /** Sequence number of the event the SDK currently waits on for this slot. */
  id?: number;
  done?: boolean;
  retry?: RetryOptionsJson & { attempt: number; waitingTimer: boolean };
  finalFireAt?: number;
  inputText?: string;
  childInstanceId?: string;
}

export interface PendingActivity {
  taskId: number;
  name: string;
  inputText: string;
}

export interface PendingTimer {
  timerId: number;
  fireAt: number;
}

export interface InstanceState {
  instanceId: string;
  name: string;
  /** Bumps on every new execution (restart, continue-as-new) so stale completions are dropped. */
  executionId: number;
  status: RuntimeStatus;
  inputText: string | null;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  history: HistoryEvent[];
  /** Events that arrived and wait for an episode, oldest first. */
  inbox: HistoryEvent[];
  nextId: number;
  slots: Slot[];
  activities: PendingActivity[];
  timers: PendingTimer[];
  parent?: { instanceId: string; taskId: number; executionId: number };
  parentNotified?: boolean;
}

export interface InstanceSummary {
  instanceId: string;
  name: string;
  status: RuntimeStatus;
  createdTime: string;
  lastUpdatedTime: string;
}

export function summaryOf(s: InstanceState): InstanceSummary {
  return {
    instanceId: s.instanceId,
    name: s.name,
    status: s.status,
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
  };
}

/** Which instances a listing wants; a store may apply some of it in its query, the caller applies all of it. */
export interface InstanceFilter {
  statuses?: RuntimeStatus[];
  /** Creation time bounds, epoch milliseconds, inclusive. */
  from?: number;
  to?: number;
  prefix?: string;
}

/** Persistence for durable state; every write is the whole instance, so a crash leaves the last saved one. */
export interface DurableStore {
  load(instanceId: string): Promise<InstanceState | undefined>;
  save(state: InstanceState): Promise<void>;
  remove(instanceId: string): Promise<boolean>;
  list(filter?: InstanceFilter): Promise<InstanceSummary[]>;
  close(): Promise<void>;
}
