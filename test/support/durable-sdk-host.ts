/**
 * Runs an orchestration on the REAL durable-functions replay engine (its Orchestrator and executor), feeding it a
 * synthetic history episode by episode the way the Durable extension does (see durable-protocol.md): each episode
 * starts with OrchestratorStarted (which sets currentUtcDateTime), then the completions of what the previous
 * episode asked for. Activities run against the in-memory fakes; timers fire by advancing the synthetic clock.
 * Narrow on purpose: successful activities, timers and external events (what the approval wait needs).
 */
import { createRequire } from "node:module";
import { DummyOrchestrationContext } from "durable-functions";
import type { ActivityHandler, ScheduledEvent } from "./orchestration-driver";

// The engine's internals ship without type declarations: load them untyped and describe the little we use.
const load = createRequire(__filename);
type Handle = (trigger: unknown, context: unknown) => Promise<unknown>;
const { Orchestrator } = load("durable-functions/lib/src/orchestrations/Orchestrator") as {
  Orchestrator: new (fn: unknown) => { listen(): Handle };
};
const { ReplaySchema } = load("durable-functions/lib/src/orchestrations/ReplaySchema") as {
  ReplaySchema: { V3: number };
};
const { DurableOrchestrationInput } = load("durable-functions/lib/src/util/testingUtils") as {
  DurableOrchestrationInput: new (...args: unknown[]) => unknown;
};

const enum EventType {
  ExecutionStarted = 0,
  TaskCompleted = 5,
  TimerFired = 11,
  OrchestratorStarted = 12,
  EventRaised = 15,
}

interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: Date;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: Action[];
}

interface State {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  customStatus?: unknown;
}

export interface SdkRunResult {
  output: unknown;
  customStatus: unknown;
  episodes: number;
  clock: Date;
  activityNames: string[];
}

type OrchestratorFn = (context: never) => unknown;

export async function runOnDurableSdk(
  orchestrator: OrchestratorFn,
  options: {
    instanceId: string;
    input: unknown;
    start: Date;
    activities: Record<string, ActivityHandler>;
    events?: ScheduledEvent[];
  },
): Promise<SdkRunResult> {
  let clock = options.start.getTime();
  const events = [...(options.events ?? [])].sort((a, b) => a.afterMs - b.afterMs);
  let eventId = 0;
  const history: Record<string, unknown>[] = [
    { EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: false, Timestamp: new Date(clock) },
    {
      EventType: EventType.ExecutionStarted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: new Date(clock),
      Name: "o",
      Input: JSON.stringify(options.input),
    },
  ];
  const done = new Set<number>();
  const activityNames: string[] = [];

  for (let episode = 1; episode <= 500; episode++) {
    const trigger = new DurableOrchestrationInput(
      options.instanceId,
      history,
      options.input,
      "3.00:00:00",
      "6.00:00:00",
      30_000,
      ReplaySchema.V3,
    );
    const handle = new Orchestrator(orchestrator).listen();
    const state = (await handle(trigger, new DummyOrchestrationContext())) as State;
    if (state.isDone) {
      return {
        output: state.output,
        customStatus: state.customStatus,
        episodes: episode,
        clock: new Date(clock),
        activityNames,
      };
    }
    const open = numbered(state.actions[0] ?? []).filter(
      (a) => !done.has(a.seq) && !(a.action.actionType === 5 && a.action.isCanceled),
    );
    clock += 1_000;
    history.push({
      EventType: EventType.OrchestratorStarted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: new Date(clock),
    });
    const calls = open.filter((a) => a.action.actionType === 0 || a.action.actionType === 1);
    if (calls.length > 0) {
      for (const { seq, action } of calls) {
        const handler = options.activities[action.functionName!];
        if (!handler) throw new Error(`No activity ${action.functionName}`);
        activityNames.push(action.functionName!);
        const input: unknown = action.input === undefined ? null : JSON.parse(JSON.stringify(action.input));
        const result = await (handler as (input: unknown) => Promise<unknown>)(input);
        history.push({
          EventType: EventType.TaskCompleted,
          EventId: eventId++,
          IsPlayed: false,
          Timestamp: new Date(clock),
          TaskScheduledId: seq,
          Result: JSON.stringify(result ?? null),
        });
        done.add(seq);
      }
      continue;
    }
    const timers = open
      .filter((a) => a.action.actionType === 5)
      .sort((a, b) => a.action.fireAt!.getTime() - b.action.fireAt!.getTime());
    const timer = timers[0];
    const next = events[0];
    const eventAt = next ? options.start.getTime() + next.afterMs : Number.POSITIVE_INFINITY;
    if (next && (!timer || eventAt <= timer.action.fireAt!.getTime())) {
      events.shift();
      clock = Math.max(clock, eventAt);
      history.push({
        EventType: EventType.EventRaised,
        EventId: -1,
        IsPlayed: false,
        Timestamp: new Date(clock),
        Name: next.name,
        Input: JSON.stringify(next.body),
      });
    } else if (timer) {
      clock = Math.max(clock, timer.action.fireAt!.getTime());
      history.push({
        EventType: EventType.TimerFired,
        EventId: -1,
        IsPlayed: false,
        Timestamp: new Date(clock),
        TimerId: timer.seq,
        FireAt: timer.action.fireAt,
      });
      done.add(timer.seq);
    } else {
      throw new Error("The orchestration waits for something that never comes.");
    }
  }
  throw new Error("The orchestration did not finish in 500 episodes.");
}

/** Sequence numbers go depth-first to id-consuming actions; external-event waits and compounds take none. */
function numbered(actions: Action[]): { seq: number; action: Action }[] {
  const out: { seq: number; action: Action }[] = [];
  let seq = 0;
  const walk = (list: Action[]): void => {
    for (const action of list) {
      if (action.actionType === 11 || action.actionType === 12) walk(action.compoundActions ?? []);
      else if (action.actionType === 6 || action.actionType === 4) continue;
      else out.push({ seq: seq++, action });
    }
  };
  walk(actions);
  return out;
}
