import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { throttleRetryPolicy } from "../../../src/adapters/arm/throttle-retry";

const request = createPipelineRequest({ url: "https://management.azure.com/x", method: "GET" });
const answer = (status: number, headers: Record<string, string> = {}): PipelineResponse => ({
  request,
  status,
  headers: createHttpHeaders(headers),
});

/** Runs the policy over a scripted sequence of answers; returns the final answer, the sends and the waits. */
async function run(answers: PipelineResponse[], maxRetries = 3) {
  const waits: number[] = [];
  let sends = 0;
  const policy = throttleRetryPolicy({ maxRetries, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) });
  const response = await policy.sendRequest(request, async () => answers[Math.min(sends++, answers.length - 1)]!);
  return { status: response.status, sends, waits };
}

describe("retrying a 429 that carries no Retry-After", () => {
  it("retries with exponential backoff until ARM answers", async () => {
    expect(await run([answer(429), answer(429), answer(200)])).toEqual({ status: 200, sends: 3, waits: [100, 200] });
  });

  it("gives up after its bound and hands the 429 on (the caller sees a transient error)", async () => {
    expect(await run([answer(429)], 2)).toEqual({ status: 429, sends: 3, waits: [100, 200] });
  });

  it("leaves a 429 with Retry-After to the SDK's throttling policy, and other answers alone", async () => {
    expect(await run([answer(429, { "retry-after": "3" }), answer(200)])).toEqual({ status: 429, sends: 1, waits: [] });
    expect(await run([answer(503), answer(200)])).toEqual({ status: 503, sends: 1, waits: [] });
    expect(await run([answer(200)])).toEqual({ status: 200, sends: 1, waits: [] });
  });
});
