import type { Clock } from "./clock";
import type { TriggerKind } from "./core/registry";
import type { HostKeys } from "./http/auth";

export type { HostKeys };

export interface DevhostOptions {
  /** Function app root: holds package.json (`main`: entry file or glob) and host.json. */
  appRoot: string;
  /** 0 picks a free port; default 7071. Always bound to 127.0.0.1. */
  port?: number;
  /** App settings, set as process.env before the app loads. */
  settings?: Record<string, string>;
  /** Durable state: Table Storage (Azurite locally) or in memory. Default "memory". */
  storage?: { tableConnectionString: string } | "memory";
  /** Time for timers and orchestrations; pass a ManualClock and use advanceTime() in tests. */
  clock?: Clock;
  /** Run every activity twice (idempotency testing); the second result is used. */
  runActivitiesTwice?: boolean;
  /** Timer triggers on their schedules (default true). Off: only fireTimer()/the admin API fire them. */
  schedule?: boolean;
  /** Request body limit in bytes (default 10 MiB). */
  maxBodyBytes?: number;
  /** A fixed function key (default: random, printed once); same as keys.function. */
  localKey?: string;
  /** Fixed keys (each default: random, printed once at start). */
  keys?: Partial<HostKeys>;
  log?: (line: string) => void;
}

export interface RegistrationInfo {
  name: string;
  kind: TriggerKind;
  /** The line the real host prints for it. */
  description: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
}

export interface InstanceStatus {
  instanceId: string;
  name: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export interface Devhost {
  url: string;
  port: number;
  /** The function key (keys.function). */
  localKey: string;
  /** Function, master and system keys, as the real host keeps them. */
  keys: HostKeys;
  hubName: string;
  registrations: RegistrationInfo[];
  stop(): Promise<void>;
  waitForInstance(instanceId: string, opts?: { timeoutMs?: number }): Promise<InstanceStatus>;
  getInstance(instanceId: string): Promise<InstanceStatus | undefined>;
  fireTimer(name: string): Promise<void>;
  /** Moves a ManualClock on, fires what became due, and waits until the host is idle. */
  advanceTime(ms: number): Promise<void>;
  /** Resolves once no durable work (episodes, activities) is in progress. */
  whenIdle(): Promise<void>;
}
