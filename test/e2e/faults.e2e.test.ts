import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKey } from "../../src/domain/arm-id";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/** ARM misbehaving under the running app: transient faults are retried, permanent ones never approve. */
describe("ARM faults end to end", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("converges to one approval through seeded 5xx and 429 answers", async () => {
    const estate = estateOf(stack);
    const faults = await stack.sandboxCall("POST", "/_sandbox/faults", {
      rate5xx: 0.25,
      rate429: 0.15,
      retryAfterSeconds: 0,
      seed: 42,
    });
    expect(faults.status).toBeLessThan(300);
    const pe = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "faulty-pg",
      targetResourceId: estate.postgres.id,
    });

    const seen = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"], 60_000);
    await stack.sandboxCall("DELETE", "/_sandbox/faults");

    expect(seen.state).toBe("approved");
    const { calls } = await stack.calls();
    const injected = calls.filter((c: { status: number }) => c.status === 429 || c.status >= 500);
    expect(injected.length).toBeGreaterThan(0);
    const approvals = calls.filter(
      (c: { method: string; path: string; status: number }) =>
        c.method === "PUT" && c.path.toLowerCase() === pe.connectionId.toLowerCase() && c.status < 300,
    );
    expect(approvals).toHaveLength(1);
  });

  it("refuses a review of a connection ARM does not have: 404, no row, no write", async () => {
    // A connection id on a managed resource that does not exist: ARM answers 404.
    const estate = estateOf(stack);
    const ghost = `${estate.postgres.id}/privateEndpointConnections/ghost.00000000-0000-0000-0000-000000000000`;
    const asked = await stack.api("POST", "/reviews", { connectionId: ghost });
    expect(asked.status).toBe(404);
    expect(asked.body.error.code).toBe("CONNECTION_NOT_FOUND");

    expect((await stack.api("GET", `/connections/${encodeKey(ghost)}`)).status).toBe(404);
    const writes = (await stack.calls()).calls.filter(
      (c: { method: string; path: string }) => c.method === "PUT" && c.path.toLowerCase() === ghost.toLowerCase(),
    );
    expect(writes).toEqual([]);
  });
});
