import type { ActivityInput, ActivityOutput } from "./contracts";
import type { ActivityName } from "./names";

/**
 * The slice of the durable orchestration context the workflow uses. durable-functions' OrchestrationContext
 * satisfies it structurally; the unit tests drive the same generators with a replay driver that implements it.
 */
export interface WorkflowTask {
  isCompleted: boolean;
  isFaulted: boolean;
  result?: unknown;
}

export interface WorkflowTimerTask extends WorkflowTask {
  isCanceled: boolean;
  cancel: () => void;
}

/** Mirrors durable-functions' RetryOptions (duck-typed there, so a plain object is accepted). */
export interface WorkflowRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalInMilliseconds: number;
  retryTimeoutInMilliseconds: number;
}

export interface WorkflowContext {
  df: {
    readonly instanceId: string;
    readonly currentUtcDateTime: Date;
    readonly isReplaying: boolean;
    getInput<T>(): T;
    callActivityWithRetry(name: string, retryOptions: WorkflowRetryOptions, input?: unknown): WorkflowTask;
    callSubOrchestrator(name: string, input?: unknown, instanceId?: string): WorkflowTask;
    createTimer(fireAt: Date): WorkflowTimerTask;
    waitForExternalEvent(name: string): WorkflowTask;
    setCustomStatus(customStatusObject: unknown): void;
    Task: {
      any(tasks: WorkflowTask[]): WorkflowTask;
      all(tasks: WorkflowTask[]): WorkflowTask;
    };
  };
}

export type WorkflowGenerator<T> = Generator<WorkflowTask, T, unknown>;

/** Transient failures (storage, ARM throttling) get bounded exponential backoff: about 5 minutes in all. */
export const ACTIVITY_RETRY: WorkflowRetryOptions = {
  firstRetryIntervalInMilliseconds: 5_000,
  maxNumberOfAttempts: 5,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 60_000,
  retryTimeoutInMilliseconds: 300_000,
};

/** Calls an activity with the standard retry policy; its contract types the input and the result. */
export function* callActivity<N extends ActivityName>(
  context: WorkflowContext,
  name: N,
  input: ActivityInput<N>,
): WorkflowGenerator<ActivityOutput<N>> {
  return (yield context.df.callActivityWithRetry(name, ACTIVITY_RETRY, input)) as ActivityOutput<N>;
}
