import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { CallMeter } from "../../ports/call-meter.port";

/**
 * Counts requests per unit of work: the SDK clients carry `armCallMeterPolicy`, which adds one to the counter of the
 * work it runs inside (async context), so concurrent activities in one worker do not mix their counts.
 */
const counters = new AsyncLocalStorage<{ calls: number }>();

export const armCallMeter: CallMeter = {
  async measure(work) {
    const counter = { calls: 0 };
    const value = await counters.run(counter, work);
    return { value, calls: counter.calls };
  },
};

/** A core-rest-pipeline policy (per retry: every request that goes on the wire counts). */
export const armCallMeterPolicy: PipelinePolicy = {
  name: "armCallMeter",
  sendRequest(request, next) {
    const counter = counters.getStore();
    if (counter) counter.calls += 1;
    return next(request);
  },
};
