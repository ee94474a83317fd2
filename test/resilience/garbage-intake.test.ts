import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "../e2e/e2e-stack";
import { FULL, postEvents, report, resourceNotification, rowOf, SEED } from "./resilience-support";
import { until } from "../support/until";

const INVENTED_REQUESTS = FULL ? 300 : 30;

/** A small seeded generator, so a run can be repeated from its printed seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * Requests and notifications about connections ARM does not have: refused with a coded 4xx or processed without a
 * trace. Counts rows caused by garbage, garbage accepted, and 5xx; all must be zero.
 */
describe("garbage intake", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("creates no bookkeeping for connections ARM does not have", async () => {
    const estate = estateOf(stack);
    const next = random(SEED);
    const word = (): string => Math.floor(next() * 2 ** 32).toString(36);
    const hex12 = (): string =>
      Math.floor(next() * 2 ** 48)
        .toString(16)
        .padStart(12, "0");
    const scope = estate.postgres.id.split("/providers/")[0]!;
    const invented = Array.from({ length: INVENTED_REQUESTS }, (_, i) => {
      switch (i % 3) {
        case 0: // an invented connection on a real managed resource
          return { connectionId: `${estate.postgres.id}/privateEndpointConnections/invented-${word()}` };
        case 1: // an invented resource type inside the managed scope
          return {
            connectionId: `${scope}/providers/Contoso.Made/up${word()}/x/privateEndpointConnections/c-${word()}`,
          };
        default: // an endpoint that does not exist
          return {
            privateEndpointId: `/subscriptions/00000000-0000-0000-0000-${hex12()}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe-${word()}`,
          };
      }
    });
    const answers = await Promise.all(invented.map((body) => stack.api("POST", "/reviews", body)));

    // One notification naming 1,001 invented connections, with one real Pending connection first, whose review
    // shows that the notification was processed.
    const unwatched = stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
    const real = await stack.createEndpoint({
      consumer: unwatched,
      name: "real-one",
      targetResourceId: estate.postgres.id,
    });
    const names = Array.from({ length: 1001 }, () => ({
      id: `${estate.postgres.id}/privateEndpointConnections/ghost-${word()}`,
      status: next() < 0.5 ? "Pending" : "Disconnected",
    }));
    const startedAt = Date.now();
    const delivered = await postEvents(stack, [
      resourceNotification({ id: estate.postgres.id, type: estate.postgres.type }, [
        { id: real.connectionId, status: "Pending" },
        ...names,
      ]),
    ]);
    const answeredInMs = Date.now() - startedAt;
    await until(
      async () => !!(await rowOf(stack, real.connectionId)),
      "the notification's review of the real connection",
    );
    await stack.waitForConnection(real.connectionId, ["approved", "awaiting-approval", "rejected", "failed"]);

    const listed = await stack.api("GET", "/connections?limit=1000");
    const rows: { connectionId: string }[] = listed.body.connections;
    const garbageRows = rows.filter((r) => /invented-|ghost-|Contoso\.Made/i.test(r.connectionId)).length;
    const counts = report("garbage-intake", {
      garbageRows,
      garbageAccepted: answers.filter((a) => a.status < 400).length,
      uncodedRefusals: answers.filter((a) => a.status >= 400 && !a.body?.error?.code).length,
      fiveXx: answers.filter((a) => a.status >= 500).length + (delivered >= 500 ? 1 : 0),
    });
    console.log(`resilience garbage-intake: notification of 1002 connections answered in ${answeredInMs} ms`);
    expect(counts).toEqual({ garbageRows: 0, garbageAccepted: 0, uncodedRefusals: 0, fiveXx: 0 });
    expect(delivered).toBeLessThan(300);
  }, 120_000);
});
