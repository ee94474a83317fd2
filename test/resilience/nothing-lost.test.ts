import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "../e2e/e2e-stack";
import { armStatus, FULL, report, rowOf, SEED, until } from "./resilience-support";

const PER_KIND = FULL ? 6 : 3;
const REVIEWED = ["approved", "awaiting-approval", "rejected"];
const ENDED = [...REVIEWED, "failed", "skipped"];
/** The promise is "reviewed within two sweep intervals": each sweep gets the interval it has in Azure (5 minutes). */
const SWEEP_INTERVAL_MS = 300_000;

/**
 * ARM throttles without Retry-After and fails on a share of calls: every connection that exists in ARM as Pending,
 * announced by an event or by nothing at all, ends reviewed within two sweeps. Counts connections lost.
 */
// The reduced run (3 + 3 connections, 20 % bare 429s) is in `npm test`; the full one in `npm run test:resilience`.
// It once found reviews left "received" for minutes: a devhost retry timer woken early by Node was never re-armed
// (test/devhost/durable-timers.test.ts).
describe("nothing lost", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const fireSweep = async (): Promise<number> => {
    const res = await fetch(`${stack.devhost.url}/admin/functions/sweep`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-functions-key": stack.devhost.keys.master },
      body: JSON.stringify({ input: "" }),
    });
    await res.text();
    return res.status;
  };

  it(
    "every Pending connection ends reviewed within two sweeps, whatever the fault rate",
    async () => {
      const estate = estateOf(stack);
      const unwatched = stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
      await stack.sandboxCall("POST", "/_sandbox/faults", {
        rate429: FULL ? 0.3 : 0.2,
        rate5xx: FULL ? 0.1 : 0,
        seed: SEED,
      });
      const endpoints: { connectionId: string }[] = [];
      for (let i = 0; i < PER_KIND; i++) {
        // Announced by an event (whose intake may fail on the faults) and announced by nothing.
        endpoints.push(
          await stack.createEndpoint({
            consumer: estate.knownWatched,
            name: `lost-w${i}`,
            targetResourceId: estate.pls.id,
          }),
          await stack.createEndpoint({ consumer: unwatched, name: `lost-u${i}`, targetResourceId: estate.postgres.id }),
        );
      }
      await stack.sandbox.eventsIdle();

      const fiveXx: number[] = [];
      const stateOf = async (id: string): Promise<string | undefined> => (await rowOf(stack, id))?.state;
      const settled = async (states: string[]): Promise<boolean> =>
        (await Promise.all(endpoints.map((pe) => stateOf(pe.connectionId)))).every((s) => !!s && states.includes(s));
      for (let sweep = 0; sweep < 2; sweep++) {
        const status = await fireSweep();
        if (status >= 500) fiveXx.push(status);
        // Not settled in time is not yet lost (a review may still be retrying its DNS step); say what was waiting.
        await until(`sweep ${sweep + 1} settles`, () => settled(ENDED), SWEEP_INTERVAL_MS).catch(async () => {
          const states = await Promise.all(endpoints.map((pe) => stateOf(pe.connectionId)));
          console.log(
            `nothing-lost: sweep ${sweep + 1} not settled within a sweep interval: ${JSON.stringify(states)}`,
          );
        });
      }
      await stack.sandboxCall("DELETE", "/_sandbox/faults");

      const states = await Promise.all(endpoints.map((pe) => stateOf(pe.connectionId)));
      const stillPendingInArm = await Promise.all(endpoints.map((pe) => armStatus(stack, pe.connectionId)));
      const lost = endpoints.filter(
        (_, i) => !REVIEWED.includes(states[i] ?? "") && stillPendingInArm[i] === "Pending",
      ).length;
      if (lost > 0)
        console.log(`nothing-lost: rows ${JSON.stringify(states)}, ARM ${JSON.stringify(stillPendingInArm)}`);
      const counts = report("nothing-lost", { connectionsLost: lost, fiveXx: fiveXx.length });
      expect(counts).toEqual({ connectionsLost: 0, fiveXx: 0 });
    },
    2 * SWEEP_INTERVAL_MS + 120_000,
  );
});
