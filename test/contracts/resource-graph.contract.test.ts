import { readFileSync } from "node:fs";
import path from "node:path";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraphConnections } from "../../src/adapters/arm/resource-graph-connections";
import { TransientError } from "../../src/ports/errors";
import { caFetch, SEED, startTestSandbox, type TestSandbox } from "../integration/sandbox/sandbox-test-harness";
import { SPECS_ROOT } from "./contract-checker";

const EXAMPLES = "resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/examples";

interface Example {
  parameters: { "api-version": string; query: Record<string, unknown> };
  responses: { 200: { body: Record<string, unknown> } };
}

const example = (name: string): Example =>
  JSON.parse(readFileSync(path.join(SPECS_ROOT, EXAMPLES, name), "utf8")) as Example;

/**
 * Resource Graph's examples replayed against the sandbox (the same request, scoped to the sandbox's provider
 * subscription): the answer has the example's shape, its pages chain through $skipToken. Then the app's adapter,
 * through the real SDK, lists every connection of the estate.
 */
describe("Resource Graph in the sandbox", () => {
  let t: TestSandbox;
  let token: string;

  beforeAll(async () => {
    t = await startTestSandbox();
    token = (await t.credential.getToken("https://management.azure.com/.default")).token;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const query = async (apiVersion: string, body: Record<string, unknown>) => {
    const res = await caFetch(
      t.sandbox,
      `/providers/Microsoft.ResourceGraph/resources?api-version=${apiVersion}`,
      "POST",
      JSON.stringify(body),
      { authorization: `Bearer ${token}` },
    );
    return { status: res.status, headers: res.headers, body: JSON.parse(res.text) as Record<string, any> };
  };

  it("answers the first-page and next-page examples in their shape", async () => {
    const first = example("ResourcesFirstPageQuery.json");
    const request = {
      ...first.parameters.query,
      subscriptions: [SEED.provider],
      query: "Resources | where name contains 'demo' | project id, name, type, location",
    };
    const page1 = await query(first.parameters["api-version"], request);
    expect(page1.status).toBe(200);
    expect(Object.keys(page1.body).sort()).toEqual(Object.keys(first.responses[200].body).sort());
    expect(page1.body.count).toBe(3);
    expect(page1.body.totalRecords).toBeGreaterThan(3);
    expect(page1.headers["x-ms-user-quota-remaining"]).toMatch(/^\d+$/);
    expect(page1.headers["x-ms-user-quota-resets-after"]).toMatch(/^\d\d:\d\d:\d\d$/);

    const next = example("ResourcesNextPageQuery.json");
    const page2 = await query(next.parameters["api-version"], {
      ...request,
      options: { $skipToken: page1.body.$skipToken },
    });
    expect(page2.status).toBe(200);
    const ids = [...page1.body.data, ...page2.body.data].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(Math.min(page1.body.totalRecords, 6));
  });

  it("refuses a query it does not understand, and a token from another query, as Resource Graph does", async () => {
    const bad = await query("2024-04-01", { subscriptions: [SEED.provider], query: "resources | summarize count()" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("BadRequest");
    expect(bad.body.error.details.map((d: { code: string }) => d.code)).toEqual(["InvalidQuery", "ParserFailure"]);
    const stolen = await query("2024-04-01", {
      subscriptions: [SEED.provider],
      query: "resources",
      options: { $skipToken: Buffer.from(JSON.stringify({ skip: 1, top: 1, q: "other" })).toString("base64") },
    });
    expect(stolen.status).toBe(400);
  });

  it("the app's adapter lists every connection of the estate through the SDK, a page at a time", async () => {
    const client = new ResourceGraphClient(t.credential, {
      ...t.armOptions,
      apiVersion: "2024-04-01",
      retryOptions: { maxRetries: 0 },
    });
    const graph = new ResourceGraphConnections(client);
    const scope = `/subscriptions/${SEED.provider}/resourceGroups/provider-rg`;
    const pe = await t.control<{ connectionId: string }>("POST", "/_sandbox/private-endpoints", {
      subscriptionId: SEED.watchedConsumer,
      resourceGroup: "consumer-rg",
      name: "pe-graph",
      targetResourceId: SEED.postgresId,
    });
    const page = await graph.queryConnections([scope]);
    expect(page.connections.map((c) => c.connectionId)).toContainEqual(pe.body.connectionId);
    expect(page.connections.find((c) => c.connectionId === pe.body.connectionId)).toMatchObject({
      armStatus: "Pending",
      providerResourceId: SEED.postgresId,
    });
    expect(page.resourceIds).toContainEqual(SEED.postgresId);
    expect(page.connections.length).toBeGreaterThan(0);
    for (const c of page.connections) expect(c.connectionId.toLowerCase()).toContain("/privateendpointconnections/");
  });
  it("throttles past the per-user quota with 429 and says when it resets", async () => {
    let throttled: Awaited<ReturnType<typeof query>> | undefined;
    for (let i = 0; i < 20 && !throttled; i++) {
      const res = await query("2024-04-01", { subscriptions: [SEED.provider], query: "resources" });
      if (res.status === 429) throttled = res;
    }
    expect(throttled?.headers["x-ms-user-quota-remaining"]).toBe("0");
    expect(throttled?.body.error.code).toBe("RateLimiting");
    // The adapter turns the reset time into the wait before the next try.
    const graph = new ResourceGraphConnections(
      new ResourceGraphClient(t.credential, {
        ...t.armOptions,
        apiVersion: "2024-04-01",
        retryOptions: { maxRetries: 0 },
      }),
    );
    const error = await graph.queryConnections([SEED.postgresId]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBeGreaterThan(0);
  });
});
