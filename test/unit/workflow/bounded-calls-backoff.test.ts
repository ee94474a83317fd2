import { describe, expect, it } from "vitest";
import { boundedCalls, type CallOutcome } from "../../../src/workflow/bounded-calls";
import type { WorkflowContext, WorkflowTask } from "../../../src/workflow/workflow-context";
import { runOrchestration } from "../../support/orchestration-driver";

// How long a throttled input waits, and what a crashed call is reported as: what the sweep report shows.

const START = new Date("2026-01-01T09:00:00Z");
const OPTIONS = { maxInFlight: 3, maxAttempts: 3, firstBackoffMs: 4_000, maxBackoffMs: 60_000 };

async function fanOut(inputs: number[], answer: (n: number, attempt: number) => CallOutcome<number>) {
  const attempts = new Map<number, number>();
  const result = await runOrchestration(
    function* (context: WorkflowContext) {
      return yield* boundedCalls<number, number>(context, "square", inputs, OPTIONS);
    },
    {
      instanceId: "bounded",
      input: null,
      start: START,
      activityMs: 1_000,
      activities: {
        square: async (n: never) => {
          const attempt = (attempts.get(n) ?? 0) + 1;
          attempts.set(n, attempt);
          return answer(n, attempt);
        },
      },
    },
  );
  if (result.error) throw result.error;
  return result;
}

const at = (ms: number) => new Date(START.getTime() + ms);

describe("boundedCalls back-off", () => {
  it("doubles the wait at each try of an input throttled without Retry-After", async () => {
    const result = await fanOut([7], (n, attempt) =>
      attempt < 3 ? { kind: "retry", code: "ARM_THROTTLED", message: "429" } : { kind: "done", value: n },
    );
    expect(result.output).toEqual({ outcomes: [{ kind: "done", value: 7 }], retries: 2 });
    // Each wave's call takes 1 s on the driver clock; the timer is created when the wave that asked for it ended.
    expect(result.timersCreated).toEqual([at(1_000 + 4_000), at(1_000 + 4_000 + 1_000 + 8_000)]);
  });

  it("waits, in one timer, as long as the longest Retry-After a wave asked for", async () => {
    const result = await fanOut([1, 2, 3], (n, attempt) =>
      attempt === 1 && n !== 2
        ? { kind: "retry", code: "ARM_THROTTLED", message: "429", retryAfterMs: n * 10_000 }
        : { kind: "done", value: n },
    );
    expect(result.output?.retries).toBe(2);
    expect(result.timersCreated).toEqual([at(3_000 + 30_000)]);
  });
});

describe("a crashed call", () => {
  it("is reported with the activity's own failure message", async () => {
    const result = await fanOut([1, 2], (n) => {
      if (n === 2) throw new Error("the worker died");
      return { kind: "done", value: n };
    });
    expect(result.output?.outcomes[1]).toEqual({
      kind: "failed",
      code: "ACTIVITY_FAILED",
      message: expect.stringContaining("the worker died"),
    });
  });

  it("says the activity failed when the runtime gives no message", () => {
    // A context whose single call faults with no error object, as a runtime might report a lost worker.
    const task: WorkflowTask = { isCompleted: false, isFaulted: true };
    const context = {
      df: {
        currentUtcDateTime: START,
        callActivityWithRetry: () => task,
        Task: { all: (): WorkflowTask => ({ isCompleted: false, isFaulted: false }) },
      },
    } as unknown as WorkflowContext;
    const generator = boundedCalls<number, number>(context, "square", [1], OPTIONS);
    const all = generator.next();
    expect(all.done).toBe(false);
    // Task.all fails at the faulted call, which is already settled: nothing more is awaited.
    const end = generator.throw(new Error("the fan-out failed"));
    expect(end).toEqual({
      done: true,
      value: { outcomes: [{ kind: "failed", code: "ACTIVITY_FAILED", message: "the activity failed" }], retries: 0 },
    });
  });
});
