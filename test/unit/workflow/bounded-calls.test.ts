import { describe, expect, it } from "vitest";
import { boundedCalls, type CallOutcome } from "../../../src/workflow/bounded-calls";
import type { WorkflowContext } from "../../../src/workflow/workflow-context";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";

const OPTIONS = { maxInFlight: 3, maxAttempts: 2, firstBackoffMs: 1_000, maxBackoffMs: 10_000 };
const inputs = [0, 1, 2, 3, 4, 5, 6];

function* fanOut(context: WorkflowContext) {
  return yield* boundedCalls<number, number>(context, "square", inputs, OPTIONS);
}

function driver(square: (n: number) => CallOutcome<number>): DriverOptions {
  return {
    instanceId: "bounded",
    input: null,
    activities: { square: async (n: never) => square(n) },
  };
}

describe("boundedCalls", () => {
  it("a crashed call is one failed input; the wave's other calls and the later waves still run", async () => {
    const opts = driver((n) => {
      if (n === 1) throw new Error("the worker died");
      return { kind: "done", value: n * n };
    });
    const result = await runOrchestration(fanOut, opts);
    expect(result.error).toBeUndefined();
    expect(result.output?.outcomes.map((o) => (o.kind === "done" ? o.value : o.code))).toEqual([
      0,
      "ACTIVITY_FAILED",
      4,
      9,
      16,
      25,
      36,
    ]);
    expect(result.activityCalls).toHaveLength(inputs.length);
    expect(replay(fanOut, opts, result.history)).toEqual(result.output);
  });

  it("an input still throttled after maxAttempts is reported with its last answer", async () => {
    const opts = driver((n) =>
      n === 2
        ? { kind: "retry", code: "ARM_THROTTLED", message: "429", retryAfterMs: 3_000 }
        : { kind: "done", value: n },
    );
    const result = await runOrchestration(fanOut, opts);
    expect(result.output?.retries).toBe(1);
    expect(result.output?.outcomes[2]).toEqual({
      kind: "failed",
      code: "ARM_THROTTLED",
      message: "429 (still failing after 2 tries)",
    });
    expect(result.activityCalls.filter((c) => c.input === 2)).toHaveLength(2);
    // Created when the first wave ended (3 calls of 1 s on the driver clock); Retry-After (3 s) beats the back-off (1 s).
    expect(result.timersCreated).toEqual([new Date("2026-01-01T09:00:06Z")]);
  });
});
