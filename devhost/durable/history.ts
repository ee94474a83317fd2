/** Durable Task history events and orchestrator actions, as the Durable extension exchanges them with the SDK. */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string | null;
  Result?: string;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
}

export function historyEvent(
  type: number,
  timestamp: string,
  fields: Partial<HistoryEvent> = {},
  eventId = -1,
): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: timestamp, ...fields };
}

/** One action as the SDK reports it (JSON of its action classes). */
export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  retryOptions?: RetryOptionsJson;
  compoundActions?: OrchestratorAction[];
}

export interface RetryOptionsJson {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** The SDK's OrchestratorState. */
export interface OrchestratorOutput {
  isDone: boolean;
  actions: OrchestratorAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

/** Leaf actions in the order the SDK assigns sequence numbers: depth-first through WhenAny/WhenAll. */
export function flattenActions(actions: OrchestratorAction[][]): OrchestratorAction[] {
  const out: OrchestratorAction[] = [];
  const visit = (a: OrchestratorAction): void => {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) {
      for (const c of a.compoundActions ?? []) visit(c);
    } else out.push(a);
  };
  for (const group of actions) for (const a of group) visit(a);
  return out;
}

/** JSON text of an action's input. Activities and continue-as-new get strings pre-encoded by the SDK. */
export function actionInputText(action: OrchestratorAction): string {
  const preEncoded =
    action.actionType === ActionType.CallActivity ||
    action.actionType === ActionType.CallActivityWithRetry ||
    action.actionType === ActionType.ContinueAsNew;
  if (preEncoded && typeof action.input === "string") return action.input;
  return JSON.stringify(action.input ?? null);
}

/** .NET TimeSpan text ("d.hh:mm:ss") → milliseconds. */
export function timeSpanMs(text: string): number {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)$/.exec(text);
  if (!m) throw new Error(`Bad TimeSpan "${text}"`);
  const [, d, h, min, s] = m;
  return (((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(s)) * 1000;
}
