import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/** Azure raises no provider-side event for a request from an unwatched subscription: the sweep must find it. */
describe("the sweep end to end", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const fireTimer = async (name: string) => {
    const res = await fetch(`${stack.devhost.url}/admin/functions/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-functions-key": stack.devhost.keys.master },
      body: JSON.stringify({ input: "" }),
    });
    return res.status;
  };

  it("reviews a Pending connection that no event announced", async () => {
    const estate = estateOf(stack);
    const unwatched = stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
    const pe = await stack.createEndpoint({
      consumer: unwatched,
      name: "sweep-pg",
      targetResourceId: estate.postgres.id,
    });
    expect(
      (await stack.api("GET", `/connections?resource=${encodeURIComponent(estate.postgres.id)}`)).body,
    ).not.toContainEqual(expect.objectContaining({ connectionId: pe.connectionId }));

    expect(await fireTimer("sweep")).toBeLessThan(300);

    const seen = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(seen.state).toBe("approved");
    expect(seen.source).toBe("sweep");
  });

  it("starts nothing new when sweeps overlap", async () => {
    const instances = async () => {
      const res = await fetch(
        `${stack.devhost.url}/runtime/webhooks/durabletask/instances?code=${encodeURIComponent(stack.devhost.keys.durableTask)}`,
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { instanceId: string; createdTime: string }[]).map(
        (i) => `${i.instanceId}@${i.createdTime}`,
      );
    };
    const before = await instances();

    await Promise.all([fireTimer("sweep"), fireTimer("sweep")]);

    // Every connection is already decided: no review is started or restarted.
    expect((await instances()).sort()).toEqual(before.sort());
  });
});
