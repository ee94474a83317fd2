import {
  ActionType,
  actionInputText,
  EventType,
  flattenActions,
  historyEvent,
  timeSpanMs,
  type HistoryEvent,
  type OrchestratorAction,
  type OrchestratorOutput,
} from "./history";
import type { InstanceState, Slot } from "./instance-state";

/** The Durable extension's defaults for Azure Storage; the SDK splits longer timers into chunks. */
export const TIMER_LIMITS = { maximumShortTimerDuration: "6.00:00:00", longRunningTimerIntervalDuration: "3.00:00:00" };
const MAX_SHORT_MS = timeSpanMs(TIMER_LIMITS.maximumShortTimerDuration);
const LONG_INTERVAL_MS = timeSpanMs(TIMER_LIMITS.longRunningTimerIntervalDuration);

/** Replay schema V3 (index 2): long timers and the nested action format. */
export const UPPER_SCHEMA_VERSION = 2;

export type OrchestratorRun = { output: OrchestratorOutput } | { failure: string; output?: OrchestratorOutput };

export interface ChildStart {
  taskId: number;
  name: string;
  instanceId: string;
  inputText: string;
}

export interface EpisodeResult {
  /** Sub-orchestrations scheduled in this episode, for the engine to start once the state is saved. */
  childStarts: ChildStart[];
}

/**
 * One orchestrator episode, as the Durable extension runs it: append OrchestratorStarted and one new event to the
 * history, let the SDK replay the whole history, then turn its actions into scheduled work. One event per episode
 * keeps the sequence numbers the host hands out in the order the SDK assigns them.
 */
export async function runEpisode(
  state: InstanceState,
  event: HistoryEvent,
  now: number,
  run: (trigger: Record<string, unknown>) => Promise<OrchestratorRun>,
): Promise<EpisodeResult> {
  const nowIso = new Date(now).toISOString();
  const decisions: HistoryEvent[] = [];
  const result: EpisodeResult = { childStarts: [] };
  followUp(state, event, now, nowIso, decisions, result);

  const history = [
    ...state.history.map((e) => ({ ...e, IsPlayed: true })),
    historyEvent(EventType.OrchestratorStarted, nowIso),
    { ...event, IsPlayed: false },
  ];
  const trigger = {
    history,
    input: state.inputText === null || state.inputText === "" ? undefined : (JSON.parse(state.inputText) as unknown),
    instanceId: state.instanceId,
    isReplaying: state.history.length > 0,
    parentInstanceId: state.parent?.instanceId,
    upperSchemaVersion: UPPER_SCHEMA_VERSION,
    upperSchemaVersionNew: UPPER_SCHEMA_VERSION,
    ...TIMER_LIMITS,
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
  if (state.status === "Pending") state.status = "Running";
  const outcome = await run(trigger);
  const finish = (status: "Completed" | "Failed", output: unknown): void => {
    state.status = status;
    state.output = output;
    state.activities = [];
    state.timers = [];
  };

  let failure = "failure" in outcome ? outcome.failure : undefined;
  const output = outcome.output;
  let continueInput: string | undefined;
  if (output && failure === undefined) {
    const leaves = flattenActions(output.actions ?? []);
    for (let i = 0; i < leaves.length && failure === undefined; i++) {
      const action = leaves[i]!;
      const slot = state.slots[i];
      if (slot) {
        failure = checkSameAction(slot, action, i);
        if (failure === undefined && slot.kind === "timer" && action.isCanceled && !slot.done) {
          state.timers = state.timers.filter((t) => t.timerId !== slot.id);
        }
        continue;
      }
      if (action.actionType === ActionType.ContinueAsNew) continueInput = actionInputText(action);
      failure = schedule(state, action, now, nowIso, decisions, result);
    }
  }
  if (output?.customStatus !== undefined) state.customStatus = output.customStatus;
  state.history = [...history, ...decisions, historyEvent(EventType.OrchestratorCompleted, nowIso)].map((e) => ({
    ...e,
    IsPlayed: true,
  }));

  if (failure !== undefined) {
    finish("Failed", failure);
  } else if (output?.isDone && continueInput !== undefined) {
    startNewExecution(state, continueInput, nowIso);
  } else if (output?.isDone) {
    finish("Completed", output.output ?? null);
  }
  return result;
}

/** Carries over events not yet processed, as messages that arrive after continue-as-new reach the new execution. */
function startNewExecution(state: InstanceState, inputText: string, nowIso: string): void {
  state.status = "Running";
  state.inputText = inputText;
  state.output = null;
  state.history = [];
  state.slots = [];
  state.nextId = 0;
  state.activities = [];
  state.timers = [];
  state.inbox = [
    historyEvent(EventType.ExecutionStarted, nowIso, { Name: state.name, Input: inputText }),
    ...state.inbox.filter((e) => e.EventType === EventType.EventRaised),
  ];
}

function describeSlot(slot: Slot): string {
  return slot.kind === "timer" || slot.kind === "continueAsNew" ? slot.kind : `${slotLabel(slot.kind)} "${slot.name}"`;
}
function slotLabel(kind: Slot["kind"]): string {
  return kind === "event" ? "wait for external event" : kind === "subOrchestration" ? "sub-orchestration" : kind;
}

function slotFor(action: OrchestratorAction): Pick<Slot, "kind" | "name"> | undefined {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return { kind: "activity", name: action.functionName ?? "" };
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return { kind: "subOrchestration", name: action.functionName ?? "" };
    case ActionType.CreateTimer:
      return { kind: "timer", name: "" };
    case ActionType.WaitForExternalEvent:
      return { kind: "event", name: action.externalEventName ?? "" };
    case ActionType.ContinueAsNew:
      return { kind: "continueAsNew", name: "" };
    default:
      return undefined;
  }
}

function checkSameAction(slot: Slot, action: OrchestratorAction, index: number): string | undefined {
  const now = slotFor(action);
  if (now && now.kind === slot.kind && now.name === slot.name) return undefined;
  const nowText = now ? describeSlot({ ...now }) : `unsupported action type ${action.actionType}`;
  return (
    `Non-deterministic workflow detected: the history says action #${index} was ${describeSlot(slot)}, ` +
    `but the orchestrator code now schedules ${nowText}. Orchestrator code must make the same calls in the same ` +
    `order on every replay; start a new instance after changing the code.`
  );
}

function schedule(
  state: InstanceState,
  action: OrchestratorAction,
  now: number,
  nowIso: string,
  decisions: HistoryEvent[],
  result: EpisodeResult,
): string | undefined {
  const kind = slotFor(action);
  if (!kind) {
    const what = action.actionType === ActionType.CallHttp ? "callHttp" : "durable entities";
    return `The orchestrator used ${what} (action type ${action.actionType}), which devhost does not support.`;
  }
  const slot: Slot = { ...kind };
  state.slots.push(slot);
  if (action.retryOptions) slot.retry = { ...action.retryOptions, attempt: 1, waitingTimer: false };
  if (kind.kind === "activity") {
    slot.inputText = actionInputText(action);
    scheduleActivity(state, slot, nowIso, decisions);
  } else if (kind.kind === "subOrchestration") {
    slot.inputText = actionInputText(action);
    slot.childInstanceId = action.instanceId || undefined;
    scheduleChild(state, slot, nowIso, decisions, result);
  } else if (kind.kind === "timer") {
    const final = Date.parse(action.fireAt ?? "");
    if (Number.isNaN(final)) return `The orchestrator created a timer with an invalid fireAt (${action.fireAt}).`;
    if (final - now > MAX_SHORT_MS) slot.finalFireAt = final;
    scheduleTimer(state, slot, final - now > MAX_SHORT_MS ? now + LONG_INTERVAL_MS : final, nowIso, decisions);
    if (action.isCanceled) state.timers = state.timers.filter((t) => t.timerId !== slot.id);
  }
  return undefined;
}

function scheduleActivity(state: InstanceState, slot: Slot, nowIso: string, decisions: HistoryEvent[]): void {
  slot.id = state.nextId++;
  decisions.push(historyEvent(EventType.TaskScheduled, nowIso, { Name: slot.name, Input: slot.inputText }, slot.id));
  state.activities.push({ taskId: slot.id, name: slot.name, inputText: slot.inputText ?? "null" });
}

function scheduleChild(
  state: InstanceState,
  slot: Slot,
  nowIso: string,
  decisions: HistoryEvent[],
  result: EpisodeResult,
): void {
  slot.id = state.nextId++;
  const instanceId = slot.childInstanceId ?? `${state.instanceId}:${slot.id}`;
  slot.childInstanceId = instanceId;
  decisions.push(
    historyEvent(
      EventType.SubOrchestrationInstanceCreated,
      nowIso,
      { Name: slot.name, InstanceId: instanceId, Input: slot.inputText },
      slot.id,
    ),
  );
  result.childStarts.push({ taskId: slot.id, name: slot.name, instanceId, inputText: slot.inputText ?? "null" });
}

function scheduleTimer(
  state: InstanceState,
  slot: Slot,
  fireAt: number,
  nowIso: string,
  decisions: HistoryEvent[],
): void {
  slot.id = state.nextId++;
  const fireAtIso = new Date(fireAt).toISOString();
  decisions.push(historyEvent(EventType.TimerCreated, nowIso, { FireAt: fireAtIso }, slot.id));
  state.timers.push({ timerId: slot.id, fireAt });
}

/**
 * What the extension does on its side when an event arrives, before the SDK sees it: a failed attempt of a retried
 * call gets a retry timer; a fired retry timer reschedules the call; a fired chunk of a long timer gets the next chunk.
 * Each of these consumes a sequence number exactly where the SDK's RetryableTask / LongTimerTask expects one.
 */
function followUp(
  state: InstanceState,
  event: HistoryEvent,
  now: number,
  nowIso: string,
  decisions: HistoryEvent[],
  result: EpisodeResult,
): void {
  const id = event.TaskScheduledId ?? event.TimerId;
  const slot = id === undefined ? undefined : state.slots.find((s) => s.id === id && !s.done);
  if (!slot) return;
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.SubOrchestrationInstanceCompleted:
      slot.done = true;
      return;
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceFailed:
      if (!slot.retry) {
        slot.done = true;
        return;
      }
      {
        const r = slot.retry;
        // DTFx RetryInterceptor: first * backoff^(attempt-1), capped; a timer follows even the last attempt.
        const delay = Math.min(
          r.firstRetryIntervalInMilliseconds * Math.pow(r.backoffCoefficient ?? 1, r.attempt - 1),
          r.maxRetryIntervalInMilliseconds && r.maxRetryIntervalInMilliseconds > 0
            ? r.maxRetryIntervalInMilliseconds
            : Infinity,
        );
        r.attempt++;
        r.waitingTimer = true;
        scheduleTimer(state, slot, now + delay, nowIso, decisions);
      }
      return;
    case EventType.TimerFired:
      if (slot.retry?.waitingTimer) {
        slot.retry.waitingTimer = false;
        if (slot.retry.attempt > slot.retry.maxNumberOfAttempts) {
          slot.done = true;
        } else if (slot.kind === "activity") {
          scheduleActivity(state, slot, nowIso, decisions);
        } else {
          scheduleChild(state, slot, nowIso, decisions, result);
        }
      } else if (slot.finalFireAt !== undefined && slot.finalFireAt > now) {
        const next = slot.finalFireAt - now > MAX_SHORT_MS ? now + LONG_INTERVAL_MS : slot.finalFireAt;
        scheduleTimer(state, slot, next, nowIso, decisions);
      } else {
        slot.done = true;
      }
      return;
  }
}
