import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/** Malformed and hostile input at every entry point of the running app: a coded 4xx, and nothing stored is lost. */
describe("hostile input end to end", () => {
  let stack: E2eStack;
  let existing: { connectionId: string };

  beforeAll(async () => {
    stack = await startE2eStack();
    const estate = estateOf(stack);
    existing = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "hostile-baseline",
      targetResourceId: estate.postgres.id,
    });
    await stack.waitForConnection(existing.connectionId, ["approved"]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cases: [string, string, string, unknown, number, string][] = [
    ["not JSON", "POST", "/reviews", "{not json", 400, "BODY_INVALID"],
    ["an array", "POST", "/reviews", [1, 2], 400, "BODY_INVALID"],
    ["both targets", "POST", "/reviews", { connectionId: "/a", privateEndpointId: "/b" }, 400, "TARGET_REQUIRED"],
    ["a non-ARM id", "POST", "/reviews", { connectionId: "../../etc/passwd" }, 400, "CONNECTION_ID_INVALID"],
    ["a prototype-polluting body", "POST", "/reviews", '{"__proto__":{"admin":true}}', 400, "TARGET_REQUIRED"],
    ["an oversized body", "POST", "/reviews", { connectionId: "x".repeat(40_000) }, 413, "BODY_TOO_LARGE"],
    ["a garbage key", "GET", "/connections/%00%ff", undefined, 400, "KEY_INVALID"],
  ];

  it.each(cases)("answers %s with a coded 4xx", async (_name, method, route, body, status, code) => {
    const res = await stack.api(method, route, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/\w+ \w+/);
  });

  it("refuses a connection on a resource it does not manage", async () => {
    const foreign =
      "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/x/providers/Microsoft.Network/privateLinkServices/p/privateEndpointConnections/c";
    const res = await stack.api("POST", "/reviews", { connectionId: foreign });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("RESOURCE_NOT_MANAGED");
  });

  it("requires the function key", async () => {
    const res = await fetch(`${stack.devhost.url}/api/connections`);
    expect(res.status).toBe(401);
  });

  it("survives garbage on the Event Grid webhook and still holds what it recorded", async () => {
    const webhook = `${stack.devhost.url}/runtime/webhooks/eventgrid?functionName=resource-events&code=${encodeURIComponent(stack.devhost.keys.eventGrid)}`;
    const post = (body: string) =>
      fetch(webhook, {
        method: "POST",
        headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
        body,
      });
    expect((await post("{oops")).status).toBe(400);
    const notAnEvent = await post(JSON.stringify([{ hello: "world" }]));
    expect(notAnEvent.status).toBeLessThan(500);

    const still = await stack.api("GET", "/health");
    expect(still.status).toBe(200);
    const kept = await stack.waitForConnection(existing.connectionId, ["approved"]);
    expect(kept.state).toBe("approved");
  });
});
