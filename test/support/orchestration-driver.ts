/**
 * A small deterministic replay driver for the workflow generators. It implements the WorkflowContext the
 * orchestrations use, runs activities against the in-memory fakes (inputs and outputs JSON round-tripped as
 * durable does), emulates callActivityWithRetry, owns the clock (timers fire by advancing it, never by waiting) and
 * records a history. replay() re-runs the generator from that history without running anything and fails if the
 * generator asks for a different action: the determinism durable replay requires.
 */
import type {
  WorkflowContext,
  WorkflowRetryOptions,
  WorkflowTask,
  WorkflowTimerTask,
} from "../../src/workflow/workflow-context";

type Kind = "activity" | "timer" | "event" | "any" | "all" | "sub";

class DriverTask implements WorkflowTimerTask {
  isCompleted = false;
  isFaulted = false;
  isCanceled = false;
  result?: unknown;
  constructor(
    readonly kind: Kind,
    readonly name: string,
    readonly input?: unknown,
    readonly retry?: WorkflowRetryOptions,
    readonly fireAt?: Date,
    readonly children: DriverTask[] = [],
    readonly instanceId?: string,
  ) {}
  cancel = (): void => {
    this.isCanceled = true;
  };
  signature(): string {
    const childSig = this.children.map((c) => c.signature()).join(",");
    return `${this.kind}:${this.name}:${JSON.stringify(this.input ?? null)}:${this.fireAt?.toISOString() ?? ""}:${this.instanceId ?? ""}[${childSig}]`;
  }
  complete(value: unknown): void {
    this.isCompleted = true;
    this.result = value;
  }
}

export interface ScheduledEvent {
  /** Milliseconds after the orchestration started. */
  afterMs: number;
  name: string;
  body: unknown;
}

export type ActivityHandler = (input: never) => Promise<unknown>;

export interface DriverOptions {
  instanceId: string;
  input: unknown;
  start?: Date;
  activities: Record<string, ActivityHandler>;
  events?: ScheduledEvent[];
  /** Run every activity twice and feed the second result: proves activities are idempotent. */
  runActivitiesTwice?: boolean;
  /** How long each activity "takes" on the driver clock. */
  activityMs?: number;
  subOrchestration?: (name: string, input: unknown, instanceId?: string) => Promise<unknown>;
}

/** What each child of a Task.all came to, so a replay leaves every child as the run did. */
type Settled = { value: unknown } | { error: string } | { pending: true };

interface HistoryEntry {
  signature: string;
  outcome: { value: unknown; winner?: number; settled?: Settled[] } | { error: string; settled?: Settled[] };
  clockAfter: number;
}

export interface ActivityCall {
  name: string;
  input: unknown;
  attempts: number;
  failed: boolean;
}

export interface DriverResult<T> {
  output?: T;
  error?: Error;
  statuses: unknown[];
  activityCalls: ActivityCall[];
  history: HistoryEntry[];
  clock: Date;
  timersCreated: Date[];
  timersCancelled: number;
}

type Orchestrator<T> = (context: WorkflowContext) => Generator<WorkflowTask, T, unknown>;

export async function runOrchestration<T>(
  orchestrator: Orchestrator<T>,
  options: DriverOptions,
): Promise<DriverResult<T>> {
  const startMs = (options.start ?? new Date("2026-01-01T09:00:00Z")).getTime();
  let clock = startMs;
  const pending = [...(options.events ?? [])].sort((a, b) => a.afterMs - b.afterMs);
  const result = emptyResult<T>(clock);
  const context = makeContext(options, () => clock, result);

  const runActivity = async (task: DriverTask): Promise<unknown> => {
    const handler = options.activities[task.name];
    if (!handler) throw new Error(`No activity named ${task.name} is registered.`);
    const maxAttempts = task.retry?.maxNumberOfAttempts ?? 1;
    let delay = task.retry?.firstRetryIntervalInMilliseconds ?? 0;
    const call: ActivityCall = { name: task.name, input: task.input, attempts: 0, failed: false };
    result.activityCalls.push(call);
    for (;;) {
      call.attempts += 1;
      try {
        const input = JSON.parse(JSON.stringify(task.input ?? null)) as never;
        let value = await handler(input);
        if (options.runActivitiesTwice) value = await handler(JSON.parse(JSON.stringify(task.input ?? null)) as never);
        clock += options.activityMs ?? 1_000;
        return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
      } catch (error) {
        if (call.attempts >= maxAttempts) {
          call.failed = true;
          throw new Error(`Activity function '${task.name}' failed: ${(error as Error).message}`);
        }
        clock += delay;
        delay = Math.min(
          delay * (task.retry?.backoffCoefficient ?? 1),
          task.retry?.maxRetryIntervalInMilliseconds ?? delay,
        );
      }
    }
  };

  const readyAt = (task: DriverTask): number => {
    if (task.kind === "timer") return task.fireAt!.getTime();
    if (task.kind === "event") {
      const ev = pending.find((e) => e.name === task.name);
      return ev ? Math.max(clock, startMs + ev.afterMs) : Number.POSITIVE_INFINITY;
    }
    return clock;
  };

  const resolve = async (task: DriverTask): Promise<HistoryEntry["outcome"]> => {
    switch (task.kind) {
      case "activity":
        try {
          return { value: await runActivity(task) };
        } catch (error) {
          return { error: (error as Error).message };
        }
      case "sub":
        if (!options.subOrchestration) throw new Error("No sub-orchestration handler given.");
        return { value: await options.subOrchestration(task.name, task.input, task.instanceId) };
      case "timer":
        clock = Math.max(clock, task.fireAt!.getTime());
        task.complete(undefined);
        return { value: undefined };
      case "event": {
        const at = readyAt(task);
        if (!Number.isFinite(at)) throw new Error(`The orchestration waits for ${task.name}, which never comes.`);
        const index = pending.findIndex((e) => e.name === task.name);
        const [ev] = pending.splice(index, 1);
        clock = at;
        task.complete(ev!.body);
        return { value: ev!.body };
      }
      case "all": {
        // As durable-functions does: the children settle in turn and the first failure fails the whole.
        const settled: Settled[] = task.children.map(() => ({ pending: true }));
        for (const [i, child] of task.children.entries()) {
          const outcome = await resolve(child);
          if ("error" in outcome) {
            settled[i] = { error: outcome.error };
            settle(child, settled[i]);
            return { error: outcome.error, settled };
          }
          settled[i] = { value: outcome.value };
          settle(child, settled[i]);
        }
        return { value: settled.map((c) => ("value" in c ? c.value : undefined)), settled };
      }
      case "any": {
        const times = task.children.map(readyAt);
        const best = Math.min(...times);
        if (!Number.isFinite(best)) throw new Error("Task.any over tasks that never complete.");
        // On a tie an event beats a timer: a decision raised at the deadline still counts.
        const winner = times.findIndex((t, i) => t === best && task.children[i]!.kind === "event");
        const index = winner >= 0 ? winner : times.indexOf(best);
        const child = task.children[index]!;
        const outcome = await resolve(child);
        if ("error" in outcome) return outcome;
        const { value } = outcome;
        child.complete(value);
        // The generator receives the winning task; the history keeps its value for replay.
        return { value, winner: index };
      }
    }
  };

  const generator = orchestrator(context);
  try {
    let next = generator.next();
    while (!next.done) {
      const task = next.value as DriverTask;
      const signature = task.signature();
      let outcome: HistoryEntry["outcome"];
      try {
        outcome = await resolve(task);
      } catch (error) {
        outcome = { error: (error as Error).message };
      }
      result.history.push({ signature, outcome, clockAfter: clock });
      if (task.kind === "activity") settle(task, outcome);
      if ("error" in outcome) next = generator.throw(new Error(outcome.error));
      else if (outcome.winner !== undefined) next = generator.next(task.children[outcome.winner]);
      else next = generator.next(outcome.value);
    }
    result.output = next.value;
  } catch (error) {
    result.error = error as Error;
  }
  result.clock = new Date(clock);
  return result;
}

function emptyResult<T>(clock: number): DriverResult<T> {
  return {
    statuses: [],
    activityCalls: [],
    history: [],
    clock: new Date(clock),
    timersCreated: [],
    timersCancelled: 0,
  };
}

/** Re-runs the generator from a recorded history: throws when the generator is not deterministic. */
export function replay<T>(orchestrator: Orchestrator<T>, options: DriverOptions, history: HistoryEntry[]): T {
  let clock = (options.start ?? new Date("2026-01-01T09:00:00Z")).getTime();
  const sink = emptyResult<T>(clock);
  const context = makeContext(options, () => clock, sink);
  const generator = orchestrator(context);
  let next = generator.next();
  let i = 0;
  while (!next.done) {
    const task = next.value as DriverTask;
    const entry = history[i++];
    if (!entry) throw new Error(`Replay asked for an action beyond the history: ${task.signature()}`);
    if (entry.signature !== task.signature()) {
      throw new Error(`Non-deterministic replay at step ${i}: ${task.signature()} != ${entry.signature}`);
    }
    clock = entry.clockAfter;
    entry.outcome.settled?.forEach((c, i) => settle(task.children[i]!, c));
    if (task.kind === "activity") settle(task, entry.outcome);
    if ("error" in entry.outcome) {
      next = generator.throw(new Error(entry.outcome.error));
    } else if (entry.outcome.winner !== undefined) {
      const child = task.children[entry.outcome.winner]!;
      child.complete(entry.outcome.value);
      next = generator.next(child);
    } else {
      if (task.kind === "event" || task.kind === "timer" || task.kind === "activity")
        task.complete(entry.outcome.value);
      next = generator.next(entry.outcome.value);
    }
  }
  return next.value;
}

function settle(task: DriverTask, settled: Settled): void {
  if ("value" in settled) task.complete(settled.value);
  else if ("error" in settled) {
    task.isFaulted = true;
    task.result = new Error(settled.error);
  }
}

function makeContext<T>(options: DriverOptions, now: () => number, result: DriverResult<T>): WorkflowContext {
  return {
    df: {
      instanceId: options.instanceId,
      get currentUtcDateTime() {
        return new Date(now());
      },
      isReplaying: false,
      getInput<I>(): I {
        return JSON.parse(JSON.stringify(options.input)) as I;
      },
      callActivityWithRetry: (name, retryOptions, input) => new DriverTask("activity", name, input, retryOptions),
      callSubOrchestrator: (name, input, instanceId) =>
        new DriverTask("sub", name, input, undefined, undefined, [], instanceId),
      createTimer: (fireAt) => {
        result.timersCreated.push(fireAt);
        const task = new DriverTask("timer", "timer", undefined, undefined, fireAt);
        const cancel = task.cancel;
        task.cancel = () => {
          result.timersCancelled += 1;
          cancel();
        };
        return task;
      },
      waitForExternalEvent: (name) => new DriverTask("event", name),
      setCustomStatus: (status) => {
        result.statuses.push(JSON.parse(JSON.stringify(status)));
      },
      Task: {
        any: (tasks) => new DriverTask("any", "any", undefined, undefined, undefined, tasks as DriverTask[]),
        all: (tasks) => new DriverTask("all", "all", undefined, undefined, undefined, tasks as DriverTask[]),
      },
    },
  };
}
