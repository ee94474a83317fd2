import { randomUUID } from "node:crypto";
import type { Clock } from "../clock";
import { EventType, historyEvent, type HistoryEvent } from "./history";
import {
  isTerminal,
  RUNTIME_STATUSES,
  type DurableStore,
  type InstanceFilter,
  type InstanceState,
  type InstanceSummary,
  type RuntimeStatus,
} from "./instance-state";
import { runEpisode, type ChildStart, type OrchestratorRun } from "./replay";

/** How many finished instances stay in memory (the store has them all); bounds a long run's growth. */
const FINISHED_KEPT = 1000;

export type ActivityOutcome = { ok: true; resultText: string } | { ok: false; reason: string; details: string };

export interface EngineOptions {
  store: DurableStore;
  clock: Clock;
  /** Runs the orchestrator function (by name) with the trigger JSON; undefined when no such orchestrator exists. */
  runOrchestrator(name: string, trigger: Record<string, unknown>): Promise<OrchestratorRun>;
  runActivity(name: string, inputText: string): Promise<ActivityOutcome>;
  hasOrchestrator(name: string): boolean;
  /** Arm real timeouts for durable timers (off when a test drives a manual clock). */
  autoTimers: boolean;
  runActivitiesTwice?: boolean;
  log(line: string): void;
}

export type StartResult =
  | { kind: "started"; instanceId: string }
  | { kind: "conflict"; status: RuntimeStatus }
  | { kind: "unknownOrchestrator" };
export type ControlResult = "ok" | "notFound" | "gone";

/**
 * Runs orchestrations: one lock per instance, one event per episode, state saved after every step, and work
 * (activities, timers, children, parent notifications) dispatched only from saved state, so a restart resumes it.
 */
export class DurableEngine {
  private readonly cache = new Map<string, InstanceState>();
  /** The most recently finished instances: a client reads an instance's status right after it ends. */
  private readonly finished = new Map<string, InstanceState>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly inflight = new Set<string>();
  private readonly saveWaiters = new Set<() => void>();
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private timerHandle: NodeJS.Timeout | undefined;
  /** When the armed timeout is due (Infinity: none armed). */
  private armedAt = Infinity;
  private stopped = false;

  constructor(private readonly options: EngineOptions) {}

  /** Picks up every unfinished instance from the store: reruns unfinished activities, re-arms timers, drains inboxes. */
  async recover(): Promise<number> {
    let count = 0;
    const unfinished = { statuses: RUNTIME_STATUSES.filter((s) => !isTerminal(s)) };
    for (const summary of await this.options.store.list(unfinished)) {
      if (isTerminal(summary.status)) continue;
      const state = await this.options.store.load(summary.instanceId);
      if (!state) continue;
      this.cache.set(state.instanceId, state);
      count++;
      this.afterSave(state, []);
      for (const slot of state.slots) {
        if (slot.kind !== "subOrchestration" || slot.done || slot.retry?.waitingTimer || !slot.childInstanceId)
          continue;
        this.track(this.recoverChild(state, slot.id!, slot.name, slot.childInstanceId, slot.inputText ?? "null"));
      }
    }
    this.armTimers();
    return count;
  }

  async start(name: string, instanceId: string | undefined, inputText: string | null): Promise<StartResult> {
    if (!this.options.hasOrchestrator(name)) return { kind: "unknownOrchestrator" };
    const id = instanceId ?? randomUUID().replace(/-/g, "");
    return this.withInstance(id, async (existing) => {
      if (existing && !isTerminal(existing.status)) return { kind: "conflict", status: existing.status } as const;
      const state = this.newExecution(id, name, inputText, existing);
      await this.save(state);
      this.kick(id);
      return { kind: "started", instanceId: id } as const;
    });
  }

  async getState(instanceId: string): Promise<InstanceState | undefined> {
    return this.cached(instanceId) ?? (await this.options.store.load(instanceId));
  }

  async list(filter?: InstanceFilter): Promise<InstanceSummary[]> {
    return this.options.store.list(filter);
  }

  async raiseEvent(instanceId: string, name: string, inputText: string): Promise<ControlResult> {
    return this.control(instanceId, (state) => {
      state.inbox.push(historyEvent(EventType.EventRaised, this.iso(), { Name: name, Input: inputText }));
    });
  }

  async terminate(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.control(instanceId, (state) => {
      state.status = "Terminated";
      state.output = reason;
      state.inbox = [];
      state.activities = [];
      state.timers = [];
      state.history.push(historyEvent(EventType.ExecutionTerminated, this.iso(), { Input: JSON.stringify(reason) }));
    });
  }

  async suspend(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.control(instanceId, (state) => {
      if (state.status === "Suspended") return;
      state.status = "Suspended";
      state.history.push(historyEvent(EventType.ExecutionSuspended, this.iso(), { Reason: reason ?? "" }));
    });
  }

  async resume(instanceId: string, reason: string | null): Promise<ControlResult> {
    return this.control(instanceId, (state) => {
      if (state.status !== "Suspended") return;
      state.status = "Running";
      state.history.push(historyEvent(EventType.ExecutionResumed, this.iso(), { Reason: reason ?? "" }));
    });
  }

  /** Deletes a finished instance's state; a running one must be terminated first. */
  async purge(instanceId: string): Promise<"ok" | "notFound" | "running"> {
    return this.withInstance(instanceId, async (state) => {
      if (!state) return "notFound" as const;
      if (!isTerminal(state.status)) return "running" as const;
      await this.options.store.remove(instanceId);
      this.cache.delete(instanceId);
      this.finished.delete(instanceId);
      return "ok" as const;
    });
  }

  /** Fires every durable timer that is due by the clock; how many instances had one. */
  async fireDueTimers(): Promise<number> {
    const now = this.options.clock.now();
    const due = [...this.cache.values()].filter((s) => !isTerminal(s.status) && s.timers.some((t) => t.fireAt <= now));
    await Promise.all(
      due.map((s) =>
        this.control(s.instanceId, (state) => {
          const ready = state.timers.filter((t) => t.fireAt <= now).sort((a, b) => a.fireAt - b.fireAt);
          state.timers = state.timers.filter((t) => t.fireAt > now);
          for (const t of ready) {
            state.inbox.push(
              historyEvent(EventType.TimerFired, this.iso(), {
                TimerId: t.timerId,
                FireAt: new Date(t.fireAt).toISOString(),
              }),
            );
          }
        }),
      ),
    );
    // Re-arm for what is still waiting, even when nothing was due: Node measures a timeout from the event loop's
    // cached time, so under load it wakes a little before the clock reaches the timer (and a far timer wakes at the
    // 60 s cap). Without this the timer is lost until some other instance happens to save.
    this.armTimers();
    return due.length;
  }

  /** Resolves once no episode, activity or notification is in progress. */
  whenIdle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves with the state once the instance is terminal (Completed, Failed, Terminated). */
  async waitFor(instanceId: string, timeoutMs: number): Promise<InstanceState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.getState(instanceId);
      if (state && isTerminal(state.status)) return state;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Instance ${instanceId} is still ${state?.status ?? "unknown"} after ${timeoutMs} ms.`);
      }
      await this.nextSaveOrWithin(Math.min(left, 1000));
    }
  }

  /** Resolves after the next save of any instance, or after `ms` (a finished instance may come from another writer). */
  private nextSaveOrWithin(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.saveWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.saveWaiters.add(done);
    });
  }

  /** Stops new work; waits briefly for work in progress (an activity that never returns must not block shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }

  private newExecution(
    id: string,
    name: string,
    inputText: string | null,
    existing: InstanceState | undefined,
  ): InstanceState {
    const now = this.iso();
    return {
      instanceId: id,
      name,
      executionId: (existing?.executionId ?? 0) + 1,
      status: "Pending",
      inputText,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      history: [],
      inbox: [historyEvent(EventType.ExecutionStarted, now, { Name: name, Input: inputText })],
      nextId: 0,
      slots: [],
      activities: [],
      timers: [],
    };
  }

  private iso(): string {
    return new Date(this.options.clock.now()).toISOString();
  }

  private async control(instanceId: string, change: (state: InstanceState) => void): Promise<ControlResult> {
    return this.withInstance(instanceId, async (state) => {
      if (!state) return "notFound" as const;
      if (isTerminal(state.status)) return "gone" as const;
      change(state);
      await this.save(state);
      this.afterSave(state, []);
      return "ok" as const;
    });
  }

  private cached(instanceId: string): InstanceState | undefined {
    return this.cache.get(instanceId) ?? this.finished.get(instanceId);
  }

  private async withInstance<T>(instanceId: string, fn: (state: InstanceState | undefined) => Promise<T>): Promise<T> {
    const previous = this.locks.get(instanceId) ?? Promise.resolve();
    const next = previous.then(async () => fn(this.cached(instanceId) ?? (await this.options.store.load(instanceId))));
    const settled = next.catch(() => undefined);
    this.locks.set(instanceId, settled);
    void settled.then(() => {
      if (this.locks.get(instanceId) === settled) this.locks.delete(instanceId);
    });
    return next;
  }

  private async save(state: InstanceState): Promise<void> {
    state.lastUpdatedTime = this.iso();
    await this.options.store.save(state);
    // Finished instances leave the cache for a bounded list of recent ones (the store has them all), so a long
    // `npm start` does not grow without bound.
    if (isTerminal(state.status)) {
      this.cache.delete(state.instanceId);
      this.finished.delete(state.instanceId); // re-inserted: the newest finished stays longest
      this.finished.set(state.instanceId, state);
      if (this.finished.size > FINISHED_KEPT) this.finished.delete(this.finished.keys().next().value!);
    } else {
      this.finished.delete(state.instanceId);
      this.cache.set(state.instanceId, state);
    }
    for (const w of [...this.saveWaiters]) w();
  }

  private track(p: Promise<unknown>): void {
    this.busy++;
    p.catch((err: unknown) =>
      this.options.log(`devhost durable: ${err instanceof Error ? err.stack : String(err)}`),
    ).finally(() => {
      this.busy--;
      if (this.busy === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private kick(instanceId: string): void {
    if (this.stopped) return;
    this.track(this.drive(instanceId));
  }

  private async drive(instanceId: string): Promise<void> {
    for (;;) {
      let starts: ChildStart[] = [];
      const state = await this.withInstance(instanceId, async (s) => {
        if (!s || this.stopped || s.inbox.length === 0 || (s.status !== "Pending" && s.status !== "Running"))
          return undefined;
        const event = s.inbox.shift()!;
        const episode = await runEpisode(s, event, this.options.clock.now(), (trigger) =>
          this.options.runOrchestrator(s.name, trigger),
        );
        starts = episode.childStarts;
        await this.save(s);
        return s;
      });
      if (!state) return;
      this.afterSave(state, starts);
    }
  }

  /** Dispatches what saved state asks for; safe to call repeatedly (in-flight work is not started twice). */
  private afterSave(state: InstanceState, childStarts: ChildStart[]): void {
    if (this.stopped) return;
    for (const a of state.activities) {
      const key = `${state.instanceId}\u0000${state.executionId}\u0000${a.taskId}`;
      if (this.inflight.has(key)) continue;
      this.inflight.add(key);
      this.track(
        this.runActivity(state.instanceId, state.executionId, a.taskId, a.name, a.inputText).finally(() =>
          this.inflight.delete(key),
        ),
      );
    }
    for (const c of childStarts) this.track(this.startChild(state, c));
    if (isTerminal(state.status) && state.parent && !state.parentNotified) this.track(this.notifyParent(state));
    if (state.inbox.length > 0 && (state.status === "Running" || state.status === "Pending"))
      this.kick(state.instanceId);
    this.armTimersOf(state);
  }

  private async runActivity(
    instanceId: string,
    executionId: number,
    taskId: number,
    name: string,
    inputText: string,
  ): Promise<void> {
    let outcome = await this.options.runActivity(name, inputText);
    if (this.options.runActivitiesTwice) outcome = await this.options.runActivity(name, inputText);
    const event: HistoryEvent = outcome.ok
      ? historyEvent(EventType.TaskCompleted, this.iso(), { TaskScheduledId: taskId, Result: outcome.resultText })
      : historyEvent(EventType.TaskFailed, this.iso(), {
          TaskScheduledId: taskId,
          Reason: outcome.reason,
          Details: outcome.details,
        });
    // Not saved on its own: the episode that consumes it saves it. A crash before then leaves the activity pending in
    // the saved state, and recovery runs it again (activities run at least once), so nothing is lost; each
    // completion costs one write instead of two.
    await this.deliver(
      instanceId,
      executionId,
      event,
      (s) => s.activities.some((a) => a.taskId === taskId),
      (s) => {
        s.activities = s.activities.filter((a) => a.taskId !== taskId);
      },
      { save: false },
    );
  }

  /** Adds a completion to an instance's inbox unless it is stale (other execution, finished, already delivered). */
  private async deliver(
    instanceId: string,
    executionId: number,
    event: HistoryEvent,
    stillWaiting: (s: InstanceState) => boolean,
    consume: (s: InstanceState) => void,
    { save }: { save: boolean } = { save: true },
  ): Promise<void> {
    await this.withInstance(instanceId, async (s) => {
      if (!s || s.executionId !== executionId || isTerminal(s.status) || !stillWaiting(s)) return;
      consume(s);
      s.inbox.push(event);
      if (save) await this.save(s);
    });
    this.kick(instanceId);
  }

  private async startChild(parent: InstanceState, c: ChildStart): Promise<void> {
    const link = { instanceId: parent.instanceId, taskId: c.taskId, executionId: parent.executionId };
    let refused: string | undefined;
    await this.withInstance(c.instanceId, async (existing) => {
      const sameLink =
        existing?.parent?.instanceId === link.instanceId &&
        existing.parent.taskId === link.taskId &&
        existing.parent.executionId === link.executionId;
      if (existing && sameLink) return; // already started before a restart
      if (existing && !isTerminal(existing.status)) {
        refused = `An orchestration with instance id "${c.instanceId}" is already ${existing.status}.`;
        return;
      }
      const state = this.newExecution(c.instanceId, c.name, c.inputText, existing);
      state.parent = link;
      if (!this.options.hasOrchestrator(c.name)) {
        refused = `The orchestrator function "${c.name}" is not registered in this app.`;
        return;
      }
      await this.save(state);
    });
    if (refused !== undefined) {
      await this.deliverChildResult(link, { ok: false, reason: refused, details: refused });
      return;
    }
    this.kick(c.instanceId);
  }

  private async recoverChild(
    parent: InstanceState,
    taskId: number,
    name: string,
    childId: string,
    inputText: string,
  ): Promise<void> {
    const child = await this.getState(childId);
    if (!child || child.parent?.instanceId !== parent.instanceId || child.parent.taskId !== taskId) {
      await this.startChild(parent, { taskId, name, instanceId: childId, inputText });
    } else if (isTerminal(child.status)) {
      await this.notifyParent(child);
    }
  }

  private async notifyParent(child: InstanceState): Promise<void> {
    const link = child.parent!;
    const outcome: ActivityOutcome =
      child.status === "Completed"
        ? { ok: true, resultText: JSON.stringify(child.output ?? null) }
        : {
            ok: false,
            reason: `Orchestrator function '${child.name}' failed: ${typeof child.output === "string" ? child.output : JSON.stringify(child.output)}`,
            details: `Sub-orchestration ${child.instanceId} ended ${child.status}.`,
          };
    await this.deliverChildResult(link, outcome);
    await this.withInstance(child.instanceId, async (s) => {
      if (!s || s.parentNotified || s.executionId !== child.executionId) return;
      s.parentNotified = true;
      await this.save(s);
    });
  }

  private async deliverChildResult(
    link: NonNullable<InstanceState["parent"]>,
    outcome: ActivityOutcome,
  ): Promise<void> {
    const { taskId } = link;
    const event = outcome.ok
      ? historyEvent(EventType.SubOrchestrationInstanceCompleted, this.iso(), {
          TaskScheduledId: taskId,
          Result: outcome.resultText,
        })
      : historyEvent(EventType.SubOrchestrationInstanceFailed, this.iso(), {
          TaskScheduledId: taskId,
          Reason: outcome.reason,
          Details: outcome.details,
        });
    await this.deliver(
      link.instanceId,
      link.executionId,
      event,
      (s) =>
        s.slots.some((slot) => slot.kind === "subOrchestration" && slot.id === taskId && !slot.done) &&
        !s.inbox.some((e) => e.TaskScheduledId === taskId),
      () => undefined,
    );
  }

  /** With a real clock, one timeout for the earliest durable timer of every instance (a scan of the cache). */
  private armTimers(): void {
    let earliest = Infinity;
    for (const s of this.cache.values()) {
      if (isTerminal(s.status)) continue;
      for (const t of s.timers) earliest = Math.min(earliest, t.fireAt);
    }
    this.armAt(earliest, true);
  }

  /**
   * After a save, only that instance's timers can be new: the timeout moves only when one is earlier than the armed
   * one. Scanning every instance here made each save cost as much as the instances waiting (thousands in a sweep); a
   * timeout that fires with nothing due (its timer went with its instance) scans once and re-arms.
   */
  private armTimersOf(state: InstanceState): void {
    if (isTerminal(state.status)) return;
    let earliest = Infinity;
    for (const t of state.timers) earliest = Math.min(earliest, t.fireAt);
    this.armAt(earliest, false);
  }

  private armAt(fireAt: number, replace: boolean): void {
    if (!this.options.autoTimers || this.stopped) return;
    if (!replace && fireAt >= this.armedAt) return;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    this.timerHandle = undefined;
    this.armedAt = fireAt;
    if (fireAt === Infinity) return;
    const delay = Math.max(0, Math.min(fireAt - this.options.clock.now(), 60_000));
    this.timerHandle = setTimeout(() => {
      this.armedAt = Infinity;
      this.track(this.fireDueTimers());
    }, delay);
    this.timerHandle.unref();
  }
}
