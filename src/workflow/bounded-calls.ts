import type { WorkflowContext, WorkflowGenerator, WorkflowTask } from "./workflow-context";

/**
 * What a sweep activity answers instead of throwing: a throttled or busy call is retried by the orchestration
 * (durable timer, honouring Retry-After), a permanent failure is reported, and neither holds back the other calls.
 */
export type CallOutcome<T> =
  | { kind: "done"; value: T }
  | { kind: "retry"; code: string; message: string; retryAfterMs?: number }
  | { kind: "failed"; code: string; message: string };

export interface BoundedCallOptions {
  /** Activities in flight at once (each makes a few ARM calls at most). */
  maxInFlight: number;
  /** Tries per input before it is reported as failed. */
  maxAttempts: number;
  firstBackoffMs: number;
  maxBackoffMs: number;
}

export const SWEEP_CALLS: BoundedCallOptions = {
  maxInFlight: 8,
  maxAttempts: 5,
  firstBackoffMs: 5_000,
  maxBackoffMs: 120_000,
};

/** The result per input, in input order, plus how many tries were retried. */
export interface BoundedCallResult<T> {
  outcomes: ({ kind: "done"; value: T } | { kind: "failed"; code: string; message: string })[];
  retries: number;
}

/** The activity's own failure (it crashed past the durable retry) is one failed input, not the end of the sweep. */
const NO_RETRY = {
  firstRetryIntervalInMilliseconds: 5_000,
  maxNumberOfAttempts: 1,
  backoffCoefficient: 1,
  maxRetryIntervalInMilliseconds: 5_000,
  retryTimeoutInMilliseconds: 5_000,
};

interface Slot {
  index: number;
  attempt: number;
  task: WorkflowTask;
  waiting: boolean;
}

/**
 * Runs `activity` once per input with at most `maxInFlight` in flight: whenever one finishes (Task.any), the next
 * starts, so one slow input never holds back the rest. An input answered "retry" waits on a durable timer for
 * max(Retry-After, exponential back-off) and is tried again; its slot stays taken meanwhile (that is the bound).
 * Deterministic: time comes from the orchestration clock only.
 */
export function* boundedCalls<I, T>(
  context: WorkflowContext,
  activity: string,
  inputs: readonly I[],
  options: BoundedCallOptions,
): WorkflowGenerator<BoundedCallResult<T>> {
  const outcomes: BoundedCallResult<T>["outcomes"] = [];
  const slots: Slot[] = [];
  let next = 0;
  let retries = 0;
  const call = (index: number, attempt: number): Slot => ({
    index,
    attempt,
    task: context.df.callActivityWithRetry(activity, NO_RETRY, inputs[index]),
    waiting: false,
  });
  while (next < inputs.length || slots.length > 0) {
    while (slots.length < options.maxInFlight && next < inputs.length) slots.push(call(next++, 1));
    const winner: unknown = yield context.df.Task.any(slots.map((s) => s.task));
    const at = slots.findIndex((s) => s.task === winner);
    const slot = slots[at]!;
    if (slot.waiting) {
      slots[at] = call(slot.index, slot.attempt + 1);
      continue;
    }
    const outcome: CallOutcome<T> = slot.task.isFaulted
      ? { kind: "failed", code: "ACTIVITY_FAILED", message: faultMessage(slot.task) }
      : (slot.task.result as CallOutcome<T>);
    if (outcome.kind === "retry" && slot.attempt < options.maxAttempts) {
      retries += 1;
      const backoff = Math.min(options.firstBackoffMs * 2 ** (slot.attempt - 1), options.maxBackoffMs);
      const wait = Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), options.maxBackoffMs);
      const fireAt = new Date(context.df.currentUtcDateTime.getTime() + wait);
      slots[at] = { ...slot, task: context.df.createTimer(fireAt), waiting: true };
      continue;
    }
    slots.splice(at, 1);
    outcomes[slot.index] =
      outcome.kind === "done"
        ? outcome
        : {
            kind: "failed",
            code: outcome.code,
            message:
              outcome.kind === "retry"
                ? `${outcome.message} (still failing after ${slot.attempt} tries)`
                : outcome.message,
          };
  }
  return { outcomes, retries };
}

function faultMessage(task: WorkflowTask): string {
  const result = task.result as { message?: unknown } | undefined;
  return typeof result?.message === "string" ? result.message : "the activity failed";
}
