import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock, Devhost } from "../../devhost";
import { call, startSampleHost } from "./support";

/**
 * The host's own timeout and the durable clock disagree by a little in real life: Node measures a timeout from the
 * event loop's cached time, so under load it fires a few milliseconds before Date.now() reaches the timer. This clock
 * lets a test open that gap on purpose (the clock falls behind the host's timeout by `lagMs`).
 */
class LaggingClock implements Clock {
  lagMs = 0;
  now(): number {
    return Date.now() - this.lagMs;
  }
}

let host: Devhost;
const clock = new LaggingClock();

beforeAll(async () => {
  host = await startSampleHost({ clock, schedule: false });
});
afterAll(async () => {
  await host?.stop();
});

describe("durable timers on a real clock", () => {
  it("fires a timer whose host timeout woke before the clock reached it, with no other instance to re-arm it", async () => {
    const started = await call(`${host.url}/api/orchestrators/sleeper`, {
      method: "POST",
      body: JSON.stringify({ ms: 2_000 }),
    });
    expect(started.status, started.text).toBe(202);
    // The timer is armed once the first episode is saved; from then on the clock lags the host's timeout.
    await host.whenIdle();
    clock.lagMs = 1_000;
    const done = await host.waitForInstance(started.json.id as string, { timeoutMs: 20_000 });
    expect(done.runtimeStatus).toBe("Completed");
  });
});
