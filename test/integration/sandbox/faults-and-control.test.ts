import { NetworkManagementClient } from "@azure/arm-network";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { caFetch, SEED, startTestSandbox, type TestSandbox } from "./sandbox-test-harness";

let t: TestSandbox;
let network: NetworkManagementClient;

beforeAll(async () => {
  t = await startTestSandbox();
  network = new NetworkManagementClient(t.credential, SEED.provider, t.armOptions);
});
afterAll(async () => t?.stop());
beforeEach(async () => {
  await t.control("DELETE", "/_sandbox/faults");
  await t.control("DELETE", "/_sandbox/calls");
});

type Calls = { calls: { status: number; fault?: string }[] };

/** POST /_sandbox/faults with no faults but those the test names. */
const injectFaults = (options: Record<string, unknown>) =>
  t.control("POST", "/_sandbox/faults", { rate429: 0, rate5xx: 0, latencyMs: 0, seed: 1, ...options });

describe("sandbox fault injection", () => {
  it("throttles with Retry-After: the real client waits and retries to success", async () => {
    await injectFaults({ rate429: 1, seed: 7, retryAfterSeconds: 1, maxFaults: 1, match: "privateLinkServices" });
    const pls = await network.privateLinkServices.get("provider-rg", "orders-api-pls");
    expect(pls.name).toBe("orders-api-pls");
    const calls = (await t.control<Calls>("GET", "/_sandbox/calls")).body.calls;
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it("throttles without Retry-After: the client surfaces the 429 without retrying", async () => {
    await injectFaults({ rate429: 1, seed: 7 });
    await expect(network.privateLinkServices.get("provider-rg", "orders-api-pls")).rejects.toMatchObject({
      statusCode: 429,
    });
    expect((await t.control<Calls>("GET", "/_sandbox/calls")).body.calls).toHaveLength(1);
  });

  it("fails with 500/503 and the client backs off and retries", async () => {
    await injectFaults({ rate5xx: 1, seed: 3, maxFaults: 2 });
    await network.privateLinkServices.get("provider-rg", "orders-api-pls");
    const statuses = (await t.control<Calls>("GET", "/_sandbox/calls")).body.calls.map((c) => c.status);
    expect(statuses).toHaveLength(3);
    expect(statuses.slice(0, 2).every((s) => s === 500 || s === 503)).toBe(true);
    expect(statuses[2]).toBe(200);
  });

  it("repeats the same fault sequence for the same seed", async () => {
    const run = async (): Promise<number[]> => {
      await injectFaults({ rate429: 0.3, rate5xx: 0.3, seed: 42, retryAfterSeconds: 0 });
      await t.control("DELETE", "/_sandbox/calls");
      const token = await t.credential.getToken("https://management.azure.com/.default");
      for (let i = 0; i < 12; i++) {
        await caFetch(t.sandbox, `${SEED.plsId}?api-version=2025-05-01`, "GET", undefined, {
          authorization: `Bearer ${token.token}`,
        });
      }
      return (await t.control<Calls>("GET", "/_sandbox/calls")).body.calls.map((c) => c.status);
    };
    const first = await run();
    expect(first.some((s) => s !== 200)).toBe(true);
    expect(await run()).toEqual(first);
  });

  it("hangs a call until the client gives up", async () => {
    await injectFaults({ timeoutRate: 1, maxFaults: 1 });
    const abort = new AbortController();
    const pending = network.privateLinkServices.get("provider-rg", "orders-api-pls", { abortSignal: abort.signal });
    // Wait until the sandbox has logged the hung call, then give up as a client timeout would.
    for (let i = 0; i < 5000 && (await t.control<Calls>("GET", "/_sandbox/calls")).body.calls.length === 0; i++) {
      await new Promise((r) => setImmediate(r));
    }
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect((await t.control<Calls>("GET", "/_sandbox/calls")).body.calls[0]).toMatchObject({
      status: 0,
      fault: "hang",
    });
  });
});

describe("sandbox control API input checks", () => {
  it("answers malformed and hostile input with ARM-shaped 400s", async () => {
    const cases: [string, string, string | undefined, number, string][] = [
      ["POST", "/_sandbox/private-endpoints", "{not json", 400, "InvalidRequestContent"],
      ["POST", "/_sandbox/private-endpoints", "[]", 400, "InvalidRequestContent"],
      [
        "POST",
        "/_sandbox/private-endpoints",
        JSON.stringify({ subscriptionId: SEED.watchedConsumer }),
        400,
        "InvalidSandboxRequest",
      ],
      [
        "POST",
        "/_sandbox/private-endpoints",
        JSON.stringify({
          subscriptionId: SEED.watchedConsumer,
          resourceGroup: "rg",
          name: "../../x",
          targetResourceId: SEED.plsId,
        }),
        400,
        "InvalidSandboxRequest",
      ],
      [
        "POST",
        "/_sandbox/private-endpoints",
        JSON.stringify({
          subscriptionId: "99999999-9999-9999-9999-999999999999",
          resourceGroup: "rg",
          name: "pe",
          targetResourceId: SEED.plsId,
        }),
        400,
        "SubscriptionNotFound",
      ],
      ["POST", "/_sandbox/faults", JSON.stringify({ rate429: 2 }), 400, "InvalidFaultOptions"],
      ["POST", "/_sandbox/faults", JSON.stringify({ rate429: 0.6, rate5xx: 0.6 }), 400, "InvalidFaultOptions"],
      ["DELETE", "/_sandbox/private-endpoints/not-an-id", undefined, 400, "InvalidSandboxRequest"],
      ["PUT", "/_sandbox/estate", "{}", 405, "MethodNotAllowed"],
      ["GET", "/_sandbox/nothing-here", undefined, 404, "NotFound"],
    ];
    for (const [method, route, body, status, code] of cases) {
      const res = await caFetch(t.sandbox, route, method, body);
      expect({ route, status: res.status, code: JSON.parse(res.text).error.code }).toEqual({ route, status, code });
      expect(JSON.parse(res.text).error.message).toMatch(/\w+ \w+/);
    }
  });

  it("caps the body size", async () => {
    const res = await caFetch(
      t.sandbox,
      "/_sandbox/private-endpoints",
      "POST",
      JSON.stringify({ pad: "x".repeat(1_100_000) }),
    );
    expect(res.status).toBe(413);
  });

  it("refuses a second endpoint of the same name for another target (409) and returns the first for a repeat", async () => {
    const body = {
      subscriptionId: SEED.watchedConsumer,
      resourceGroup: "rg",
      name: "same-pe",
      targetResourceId: SEED.plsId,
    };
    const first = await t.control<{ connectionId: string }>("POST", "/_sandbox/private-endpoints", body);
    expect(first.status).toBe(201);
    const repeat = await t.control<{ connectionId: string }>("POST", "/_sandbox/private-endpoints", body);
    expect(repeat.status).toBe(200);
    expect(repeat.body.connectionId).toBe(first.body.connectionId);
    const other = await t.control("POST", "/_sandbox/private-endpoints", { ...body, targetResourceId: SEED.storageId });
    expect(other.status).toBe(409);
  });

  it("describes the estate: provider resources, consumers with tenant and watch flag, zones, identity", async () => {
    const estate = t.sandbox.estate;
    expect(estate.provider.resources.map((r) => r.type)).toContain("Microsoft.DBforPostgreSQL/flexibleServers");
    expect(estate.consumers.map((c) => [c.watched, c.readableByApp])).toEqual([
      [true, true],
      [false, true],
      [false, false],
    ]);
    expect(new Set(estate.consumers.map((c) => c.tenantId)).size).toBe(2);
    expect(estate.dns.zones).toHaveLength(5);
    const viaHttp = await t.control("GET", "/_sandbox/estate");
    expect(viaHttp.body).toEqual(t.sandbox.estate);
  });
});
