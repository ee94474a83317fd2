import type { WorkflowContext, WorkflowGenerator, WorkflowTask } from "./workflow-context";

/**
 * What a sweep activity answers instead of throwing: a throttled or busy call is retried by the orchestration
 * (durable timer, honouring Retry-After), a permanent failure is reported, and neither ends the sweep.
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

/**
 * One try per call: the activity's own failure (it crashed) is one failed input, not the end of the sweep. No retry
 * timeout: with durable-functions 3 a timed-out retry never settles (azure-functions-durable-js issue 629).
 */
const ONE_TRY = {
  firstRetryIntervalInMilliseconds: 5_000,
  maxNumberOfAttempts: 1,
  backoffCoefficient: 1,
  maxRetryIntervalInMilliseconds: 5_000,
};

interface Try {
  index: number;
  attempt: number;
}

/**
 * Runs `activity` once per input, in waves of at most `maxInFlight` calls (fan-out/fan-in with Task.all). An input
 * answered "retry" is tried again in a later wave, after a durable timer of max(Retry-After, exponential back-off)
 * that runs alongside the next wave's new calls: the sweep goes on meanwhile, and that wave lasts at least the wait
 * (throttling is per subscription, so slowing down then is what ARM asks for anyway).
 *
 * Waves, not a sliding window over Task.any: every task is yielded in exactly one compound. The out-of-process
 * protocol has no task ids, so a task yielded again inside a new Task.any is scheduled again by the Durable
 * extension, and its completions are matched to the wrong tasks (azure-functions-durable-js issue 574); a resumed
 * sweep then stopped with calls unfinished. Deterministic: time comes from the orchestration clock only.
 */
export function* boundedCalls<I, T>(
  context: WorkflowContext,
  activity: string,
  inputs: readonly I[],
  options: BoundedCallOptions,
): WorkflowGenerator<BoundedCallResult<T>> {
  const outcomes: BoundedCallResult<T>["outcomes"] = [];
  let retries = 0;
  let next = 0;
  /** Tries whose back-off has been waited out: they go first in the next wave. */
  let due: Try[] = [];
  /** Tries answered "retry" in the last wave, with how long each asks to wait. */
  let later: (Try & { waitMs: number })[] = [];
  while (next < inputs.length || due.length > 0 || later.length > 0) {
    const wave = [...due];
    while (wave.length < options.maxInFlight && next < inputs.length) wave.push({ index: next++, attempt: 1 });
    const calls = wave.map((t) => context.df.callActivityWithRetry(activity, ONE_TRY, inputs[t.index]));
    const tasks: WorkflowTask[] = [...calls];
    if (later.length > 0) {
      const waitMs = Math.max(...later.map((t) => t.waitMs));
      tasks.push(context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs)));
    }
    due = later;
    later = [];
    yield* settleAll(context, tasks);

    wave.forEach((t, i) => {
      const task = calls[i]!;
      const outcome: CallOutcome<T> = task.isFaulted
        ? {
            // Stryker disable next-line StringLiteral: any kind but "done" or "retry" is rebuilt as "failed" below
            kind: "failed",
            code: "ACTIVITY_FAILED",
            message: faultMessage(task),
          }
        : (task.result as CallOutcome<T>);
      if (outcome.kind === "retry" && t.attempt < options.maxAttempts) {
        retries += 1;
        const backoff = Math.min(options.firstBackoffMs * 2 ** (t.attempt - 1), options.maxBackoffMs);
        const waitMs = Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), options.maxBackoffMs);
        later.push({ index: t.index, attempt: t.attempt + 1, waitMs });
        return;
      }
      outcomes[t.index] =
        outcome.kind === "done"
          ? outcome
          : {
              kind: "failed",
              code: outcome.code,
              message:
                outcome.kind === "retry"
                  ? `${outcome.message} (still failing after ${t.attempt} tries)`
                  : outcome.message,
            };
    });
  }
  return { outcomes, retries };
}

/**
 * Waits for every task, failed or not. Task.all settles at the first failure; the rest are then awaited one by one
 * (a task yielded on its own again is not scheduled again, unlike one inside a new compound).
 */
function* settleAll(context: WorkflowContext, tasks: WorkflowTask[]): WorkflowGenerator<void> {
  try {
    yield context.df.Task.all(tasks);
  } catch {
    for (const task of tasks) {
      if (task.isCompleted || task.isFaulted) continue;
      try {
        yield task;
      } catch {
        // Read from the task itself by the caller.
      }
    }
  }
}

function faultMessage(task: WorkflowTask): string {
  const result = task.result as { message?: unknown } | undefined;
  return typeof result?.message === "string" ? result.message : "the activity failed";
}
