import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "../e2e/e2e-stack";
import { anyJson, armId, deepJson, nastyString, pathSegment, webhookBody } from "./arbitraries";
import { countGarbage, footprint, send } from "./probes";
import { CATEGORIES, fcParams, Tally } from "./tally";

/**
 * Every entry point of the running app (devhost child, sandbox, Azurite) under fuzzing: the Event Grid webhook, every
 * HTTP route, the admin (timer) endpoints, the durable API without its key, and the sandbox control API. Garbage gets
 * a 4xx, never a 5xx or a dead host, and leaves no connection row, durable instance or ARM write behind.
 */
const tally = new Tally("entrypoints", [
  CATEGORIES.fiveXx,
  CATEGORIES.crashes,
  CATEGORIES.garbageRows,
  CATEGORIES.garbageInstances,
  CATEGORIES.unjustifiedApprovals,
  CATEGORIES.unjustifiedDeletes,
  "keyless_accepted",
]);

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack();
}, 120_000);
afterAll(async () => {
  tally.print();
  await stack?.stop();
});

const json = { "content-type": "application/json" };

/**
 * Runs a seeded property whose body sends requests (the tally judges each answer; the property itself never fails),
 * then counts what the run left behind, attributed to `entry`.
 */
async function fuzz<T>(
  entry: string,
  arb: fc.Arbitrary<T>,
  counts: [number, number],
  body: (v: T) => Promise<void>,
  leavesNothing = true,
): Promise<void> {
  const before = await footprint(stack);
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      await body(v);
    }),
    fcParams(...counts),
  );
  await stack.sandbox.eventsIdle();
  if (leavesNothing) countGarbage(tally, entry, before, await footprint(stack));
}

describe("entry points under fuzzing", () => {
  it("the Event Grid webhook: garbage, bent real events, invented events, batches, deep nesting, huge strings", async () => {
    const hook = `${stack.devhost.url}/runtime/webhooks/eventgrid?functionName=resource-events&code=${encodeURIComponent(stack.devhost.keys.eventGrid)}`;
    const kind = fc.constantFrom("Notification", "Notification", "Notification", "SubscriptionValidation", "Bogus", "");
    await fuzz("eventgrid", fc.tuple(webhookBody, kind), [300, 3000], async ([body, eventType]) => {
      const headers: Record<string, string> = { ...json, ...(eventType ? { "aeg-event-type": eventType } : {}) };
      await send(tally, "eventgrid", hook, { method: "POST", headers, body });
    });
  }, 600_000);

  it("every HTTP route of the app, with the function key", async () => {
    const scope = stack.sandbox.estate.provider.resourceGroupId;
    const estate = estateOf(stack);
    // Ids under the managed scope that ARM does not have: they pass a scope check and must still leave nothing.
    const inventedManaged = fc
      .tuple(
        fc.constantFrom(estate.postgres.id, estate.storage.id, estate.pls.id),
        fc.stringMatching(/^[a-z0-9-]{1,20}$/),
      )
      .map(([resource, name]) => `${resource}/privateEndpointConnections/${name}`);
    const invented = fc.oneof(armId, inventedManaged, fc.constant(`${scope}/providers/Invented.Type/x`));
    const reviewBody = fc.oneof(
      fc.record({ connectionId: invented }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.record({ privateEndpointId: invented }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      anyJson.map((v) => JSON.stringify(v)),
      nastyString,
      fc.integer({ min: 65, max: 5000 }).map((d) => `{"connectionId":${deepJson(d)}}`),
    );
    const request = fc.oneof(
      reviewBody.map((body) => ({ method: "POST", path: "/api/reviews", body })),
      nastyString.map((s) => ({ method: "GET", path: `/api/connections/${pathSegment(s)}` })),
      fc
        .record(
          { status: nastyString, tenant: nastyString, resource: fc.oneof(armId, nastyString) },
          { requiredKeys: [] },
        )
        .map((q) => ({
          method: "GET",
          path: `/api/connections?${Object.entries(q)
            .map(([k, v]) => `${k}=${pathSegment(v)}`)
            .join("&")}`,
        })),
      fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH").map((method) => ({ method, path: "/api/health" })),
      fc
        .tuple(fc.constantFrom("PUT", "DELETE", "PATCH"), fc.constantFrom("/api/reviews", "/api/connections"))
        .map(([method, path]) => ({ method, path })),
    );
    await fuzz("http routes", request, [300, 3000], async (r: { method: string; path: string; body?: string }) => {
      await send(tally, `${r.method} ${r.path.slice(0, 60)}`, `${stack.devhost.url}${r.path}`, {
        method: r.method,
        headers: { ...json, "x-functions-key": stack.devhost.localKey },
        ...(r.body !== undefined && r.method !== "GET" ? { body: r.body } : {}),
      });
    });
  }, 600_000);

  it("the admin (timer) endpoints, with the master key and garbage bodies and names", async () => {
    const name = fc.oneof(fc.constantFrom("sweep", "cleanup-sweep", "resource-events", "reviews", "nope"), nastyString);
    const body = fc.oneof(
      fc.constant('{"input":""}'),
      anyJson.map((v) => JSON.stringify(v)),
      nastyString,
    );
    await fuzz("admin", fc.tuple(name, body), [100, 1000], async ([fn, text]) => {
      // Firing the real timers is legitimate work, not garbage: only garbage-named or garbage-bodied calls here.
      if ((fn === "sweep" || fn === "cleanup-sweep") && text === '{"input":""}') return;
      await send(tally, `admin ${fn.slice(0, 40)}`, `${stack.devhost.url}/admin/functions/${pathSegment(fn, 500)}`, {
        method: "POST",
        headers: { ...json, "x-functions-key": stack.devhost.keys.master },
        body: text,
      });
    });
  }, 600_000);

  it("the durable and admin APIs refuse every request without their key", async () => {
    const path = fc.oneof(
      fc.constantFrom(
        "/durabletask/instances/x/raiseEvent/ApprovalDecision",
        "/durabletask/orchestrators/connection-review/x",
        "/durabletask/instances/",
        "/runtime/webhooks/durabletask/instances/x/terminate",
        "/admin/functions/sweep",
        "/admin/devhost/advance-time",
        "/runtime/webhooks/eventgrid?functionName=resource-events",
      ),
      nastyString.map((s) => `/durabletask/instances/${pathSegment(s, 300)}/raiseEvent/ApprovalDecision`),
    );
    const key = fc.constantFrom(undefined, "", "wrong", stack.devhost.localKey);
    await fuzz(
      "keyless",
      fc.tuple(path, key, fc.constantFrom("GET", "POST", "DELETE")),
      [150, 1500],
      async ([p, k, method]) => {
        // The function key opens function routes only.
        const headers: Record<string, string> = { ...json, ...(k !== undefined ? { "x-functions-key": k } : {}) };
        const answer = await send(tally, `${method} ${p.slice(0, 60)}`, `${stack.devhost.url}${p}`, {
          method,
          headers,
          ...(method === "POST" ? { body: '{"decision":"approve"}' } : {}),
        });
        if (answer && answer.status !== 401) tally.add("keyless_accepted", `${method} ${p}: ${answer.status}`);
      },
    );
  }, 600_000);

  it("the durable API with its key: garbage ids, events, filters and purges get a 4xx, never a 5xx", async () => {
    const id = fc.oneof(nastyString, armId).map((s) => pathSegment(s, 300));
    const query = fc
      .record(
        {
          runtimeStatus: fc.oneof(fc.constantFrom("Running", "Completed,Failed", "Bogus"), nastyString),
          createdTimeFrom: nastyString,
          top: fc.oneof(fc.integer().map(String), nastyString),
          instanceIdPrefix: nastyString,
          showHistory: fc.constantFrom("true", "false", "x"),
        },
        { requiredKeys: [] },
      )
      .map((q) =>
        Object.entries(q)
          .map(([k, v]) => `${k}=${pathSegment(v, 300)}`)
          .join("&"),
      );
    const request = fc.oneof(
      fc.tuple(id, query).map(([i, q]) => ({ method: "GET", path: `instances/${i}?${q}` })),
      query.map((q) => ({ method: "GET", path: `instances/?${q}` })),
      fc
        .tuple(id, nastyString)
        .map(([i, e]) => ({ method: "POST", path: `instances/${i}/raiseEvent/${pathSegment(e, 200)}` })),
      fc.tuple(id, fc.constantFrom("terminate", "suspend", "resume", "rewind", "restart", "nope")).map(([i, op]) => ({
        method: "POST",
        path: `instances/${i}/${op}?reason=x`,
      })),
      id.map((i) => ({ method: "DELETE", path: `instances/${i}` })),
      fc
        .tuple(nastyString, id)
        .map(([n, i]) => ({ method: "POST", path: `orchestrators/${pathSegment(n, 200)}/${i}` })),
    );
    const body = fc.oneof(
      anyJson.map((v) => JSON.stringify(v)),
      nastyString,
      fc.integer({ min: 65, max: 5000 }).map(deepJson),
    );
    await fuzz("durable api", fc.tuple(request, body), [150, 1500], async ([r, text]) => {
      // Only ids that do not exist and orchestrator names that are not ours: nothing here may start or stop work.
      if (r.path.startsWith("orchestrators/connection-") || r.path.startsWith("orchestrators/endpoint-")) return;
      await send(tally, `durable ${r.method} ${r.path.slice(0, 60)}`, `${stack.devhost.url}/durabletask/${r.path}`, {
        method: r.method,
        headers: { ...json, "x-functions-key": stack.devhost.keys.durableTask },
        ...(r.method === "POST" ? { body: text } : {}),
      });
    });
  }, 600_000);

  it("writes nothing to ARM for garbage: no approval, no reject, no delete", () => {
    expect(tally.count(CATEGORIES.unjustifiedApprovals)).toBe(0);
    expect(tally.count(CATEGORIES.unjustifiedDeletes)).toBe(0);
  });

  it("leaves no connection row and no review instance behind", () => {
    expect(tally.count(CATEGORIES.garbageRows), tally.findings()).toBe(0);
    expect(tally.count(CATEGORIES.garbageInstances), tally.findings()).toBe(0);
  });

  it("the sandbox control API: garbage gets an ARM-shaped 4xx", async () => {
    const sandboxTally = tally;
    const request = fc.oneof(
      fc
        .record(
          {
            subscriptionId: fc.oneof(fc.uuid(), nastyString),
            resourceGroup: nastyString,
            name: nastyString,
            targetResourceId: fc.oneof(armId, nastyString),
            groupId: nastyString,
            requestMessage: nastyString,
            tenantId: nastyString,
          },
          { requiredKeys: [] },
        )
        .map((b) => ({ method: "POST", path: "/_sandbox/private-endpoints", body: JSON.stringify(b) })),
      fc
        .record({ rate429: anyJson, rate5xx: anyJson, latencyMs: anyJson, seed: anyJson, retryAfterSeconds: anyJson })
        .map((b) => ({ method: "POST", path: "/_sandbox/faults", body: JSON.stringify(b) })),
      fc.oneof(armId, nastyString).map((id) => ({
        method: "DELETE",
        path: `/_sandbox/private-endpoints/${pathSegment(id)}`,
      })),
      fc
        .tuple(
          fc.constantFrom("GET", "POST", "PUT"),
          fc.constantFrom(
            "/_sandbox/calls",
            "/_sandbox/inbox",
            "/_sandbox/estate",
            "/_sandbox/deliveries",
            "/_sandbox/nope",
          ),
        )
        .map(([method, path]) => ({ method, path, body: method === "GET" ? undefined : "{" })),
      fc
        .oneof(
          nastyString,
          anyJson.map((v) => JSON.stringify(v)),
        )
        .map((body) => ({
          method: "POST",
          path: "/_sandbox/private-endpoints",
          body,
        })),
    );
    await fuzz(
      "sandbox",
      request,
      [150, 1500],
      async (r: { method: string; path: string; body?: string }) => {
        sandboxTally.cases++;
        const res = await stack.sandboxRaw(r.method, r.path, r.body);
        if (res === undefined) sandboxTally.add(CATEGORIES.crashes, `sandbox ${r.method} ${r.path}: no answer`);
        else if (res >= 500) sandboxTally.add(CATEGORIES.fiveXx, `sandbox ${r.method} ${r.path.slice(0, 80)}: ${res}`);
        // A valid create makes a real endpoint, whose review is real work: not counted as garbage.
      },
      false,
    );
    // A fault setting that happened to be valid must not leak into anything after this file.
    await stack.sandboxCall("POST", "/_sandbox/faults", { rate429: 0, rate5xx: 0, latencyMs: 0, seed: 1 });
  }, 600_000);

  it("counts no 5xx, no crash and no key-less acceptance", async () => {
    const hard = [CATEGORIES.fiveXx, CATEGORIES.crashes, "keyless_accepted"];
    expect(
      hard.map((c) => `${c}=${tally.count(c)}`),
      tally.findings(),
    ).toEqual(hard.map((c) => `${c}=0`));
    const health = await fetch(`${stack.devhost.url}/api/health`);
    expect(health.status).toBe(200);
  });
});
