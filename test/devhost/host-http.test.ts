import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, type Devhost } from "../../devhost";
import { call, type Loose, startSampleHost, T0 } from "./support";

let host: Devhost;
const lines: string[] = [];
const clock = new ManualClock(T0);

beforeAll(async () => {
  host = await startSampleHost({ clock, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await host?.stop();
});

const api = (path: string): string => `${host.url}/api/${path}`;
const observed = async (): Promise<Loose> => (await call(api("observed"))).json;

describe("registrations", () => {
  it("prints every function the way the real host does, and the key once", () => {
    expect(lines).toContain(`  hello: [GET,POST] ${host.url}/api/hello/{name?}`);
    expect(lines).toContain("  tick: timerTrigger (*/10 * * * * *)");
    expect(lines).toContain("  onEvent: eventGridTrigger");
    expect(lines).toContain("  threeStep: orchestrationTrigger");
    expect(lines).toContain("  double: activityTrigger");
    for (const key of Object.values(host.keys)) expect(lines.filter((l) => l.includes(key))).toHaveLength(1);
    expect(host.hubName).toBe("SampleHub");
    expect(host.registrations.find((r) => r.name === "secret")).toMatchObject({
      kind: "http",
      authLevel: "function",
      methods: ["GET"],
    });
  });
});

describe("HTTP triggers", () => {
  it("routes with optional parameters and keeps repeated query keys", async () => {
    const r = await call(api("hello/bob?tag=a&tag=b"));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: "bob", tags: ["a", "b"], method: "GET" });
    expect((await call(api("hello"))).json.name).toBeNull();
  });

  it("passes status, headers, cookies and body back through the package's conversion", async () => {
    const r = await call(api("items/42/echo"), { method: "POST", body: "payload" });
    expect(r.status).toBe(201);
    expect(r.text).toBe("payload");
    expect(r.headers.get("x-item")).toBe("42");
    expect(r.headers.get("set-cookie")).toContain("seen=1");
    expect(r.headers.get("set-cookie")).toContain("HttpOnly");
  });

  it("answers unknown routes with 404 JSON and wrong methods with 405", async () => {
    const missing = await call(api("nope/nothing"));
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("RouteNotFound");
    const wrong = await call(api("secret"), { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect((await call(`${host.url}/elsewhere`)).json.error.code).toBe("RouteNotFound");
  });

  it("requires the local key for authLevel function, as header or code", async () => {
    const none = await call(api("secret"));
    expect(none.status).toBe(401);
    expect(none.json.error.message).toMatch(/x-functions-key/);
    expect((await call(api("secret"), { headers: { "x-functions-key": "wrong" } })).status).toBe(401);
    expect((await call(api("secret"), { headers: { "x-functions-key": host.localKey } })).json).toEqual({ ok: true });
    expect((await call(api(`secret?code=${host.localKey}`))).status).toBe(200);
  });

  it("refuses bodies over the limit with 413 and survives a throwing function with 500 JSON", async () => {
    const big = await call(api("items/1/echo"), { method: "POST", body: "x".repeat(11 * 1024 * 1024) });
    expect(big.status).toBe(413);
    const boom = await call(api("boom"));
    expect(boom.status).toBe(500);
    expect(boom.json.error).toEqual({ code: "FunctionFailed", message: "Function boom failed: sample failure" });
    expect((await call(api("hello/still-alive"))).status).toBe(200);
  });

  it("stays up under hostile request lines and encodings", async () => {
    const { request } = await import("node:http");
    const raw = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: host.port, path, method: "POST" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end("x");
      });
    expect(await raw("//evil.example/api/hello")).toBe(404);
    expect(await raw("/admin/functions/%E0%A4%A")).toBe(401);
    expect(await raw("/api/hello/%E0%A4%A")).toBe(200);
    expect(await raw(`/durabletask/instances/%E0%A4%A/raiseEvent/x?code=${host.keys.durableTask}`)).toBe(400); // "x" is not JSON
    expect((await call(api("hello/ok"))).status).toBe(200);
  });

  it("runs appStart once and pre/post invocation hooks around every call; a post hook can replace the result", async () => {
    const before = (await observed()).hooks;
    const r = await call(api("hooked"));
    expect(r.json).toEqual({ from: "postInvocation hook" });
    const after = (await observed()).hooks;
    expect(after.appStart).toBe(1);
    expect(after.pre - before.pre).toBe(2); // hooked + observed
    expect(after.post - before.post).toBe(2);
  });
});

describe("Event Grid webhook", () => {
  const hook = (fn = "onEvent", code?: string): string =>
    `${host.url}/runtime/webhooks/eventgrid?functionName=${fn}&code=${code ?? host.keys.eventGrid}`;

  it("answers the subscription validation handshake", async () => {
    const r = await call(hook(), {
      method: "POST",
      headers: { "aeg-event-type": "SubscriptionValidation" },
      json: [
        { id: "1", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode: "abc-123" } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ validationResponse: "abc-123" });
  });

  it("answers the CloudEvents OPTIONS handshake", async () => {
    const r = await call(hook(), { method: "OPTIONS", headers: { "WebHook-Request-Origin": "eventgrid.azure.net" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  });

  it("invokes the function once per event of a batch", async () => {
    const before = (await observed()).events.length;
    const r = await call(hook(), {
      method: "POST",
      headers: { "aeg-event-type": "Notification" },
      json: [
        {
          id: "e1",
          eventType: "Microsoft.Resources.ResourceWriteSuccess",
          subject: "/a",
          data: {},
          dataVersion: "",
          eventTime: "2026-01-01T00:00:00Z",
          topic: "t",
        },
        {
          id: "e2",
          eventType: "Microsoft.Resources.ResourceDeleteSuccess",
          subject: "/b",
          data: {},
          dataVersion: "",
          eventTime: "2026-01-01T00:00:00Z",
          topic: "t",
        },
      ],
    });
    expect(r.status).toBe(202);
    const events = (await observed()).events.slice(before);
    expect(events).toEqual([
      { id: "e1", type: "Microsoft.Resources.ResourceWriteSuccess", subject: "/a" },
      { id: "e2", type: "Microsoft.Resources.ResourceDeleteSuccess", subject: "/b" },
    ]);
  });

  it("refuses malformed bodies, a missing key, unknown functions, and reports failures with 500", async () => {
    const bad = await call(hook(), { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("InvalidJson");
    expect((await call(hook(), { method: "POST", json: [1, 2] })).json.error.code).toBe("InvalidEvents");
    expect((await call(hook(), { method: "POST", json: [] })).status).toBe(400);
    expect((await call(hook("onEvent", "wrong"), { method: "POST", json: [{ id: "x" }] })).status).toBe(401);
    expect((await call(hook("hello"), { method: "POST", json: [{ id: "x" }] })).status).toBe(404);
    const noName = await call(`${host.url}/runtime/webhooks/eventgrid?code=${host.keys.eventGrid}`, {
      method: "POST",
      json: [{}],
    });
    expect(noName.json.error.code).toBe("MissingFunctionName");
    const failing = await call(hook(), { method: "POST", json: [{ id: "f", subject: "fail", eventType: "x" }] });
    expect(failing.status).toBe(500);
    expect(failing.json.error.code).toBe("FunctionFailed");
  });
});

describe("timer triggers", () => {
  it("fire on their schedule as the clock moves, past due when late", async () => {
    const before = (await observed()).timer.length;
    await host.advanceTime(10_000);
    let timer = (await observed()).timer.slice(before);
    expect(timer).toEqual([{ isPastDue: false, next: new Date(T0 + 20_000).toISOString() }]);
    await host.advanceTime(35_000); // several occurrences missed: one late invocation
    timer = (await observed()).timer.slice(before);
    expect(timer).toHaveLength(2);
    expect(timer[1].isPastDue).toBe(true);
  });

  it("fire on demand through the admin API and fireTimer()", async () => {
    const before = (await observed()).timer.length;
    const r = await call(`${host.url}/admin/functions/tick`, {
      method: "POST",
      headers: { "x-functions-key": host.keys.master },
      json: { input: "" },
    });
    expect(r.status).toBe(202);
    await host.fireTimer("tick");
    expect((await observed()).timer.length - before).toBe(2);
    const bad = await call(`${host.url}/admin/functions/tick`, {
      method: "POST",
      headers: { "x-functions-key": host.keys.master },
      body: "[",
    });
    expect(bad.status).toBe(400);
    expect((await call(`${host.url}/admin/functions/tick`, { method: "POST", json: {} })).status).toBe(401);
    const missing = await call(`${host.url}/admin/functions/nope`, {
      method: "POST",
      headers: { "x-functions-key": host.keys.master },
      json: {},
    });
    expect(missing.status).toBe(404);
  });
});

describe("keys, as the real host keeps them", () => {
  const withKey = (url: string, key?: string): RequestInit => (key ? { headers: { "x-functions-key": key } } : {});
  const statusWith = async (url: string, key: string | undefined, init: RequestInit = {}): Promise<number> =>
    (await call(url, { ...init, ...withKey(url, key) })).status;

  it("are four different keys", () => {
    expect(new Set(Object.values(host.keys)).size).toBe(4);
  });

  it("function routes take the function key or the master key, never a system key", async () => {
    const url = api("secret");
    expect(await statusWith(url, host.keys.function)).toBe(200);
    expect(await statusWith(url, host.keys.master)).toBe(200);
    expect(await statusWith(url, host.keys.durableTask)).toBe(401);
    expect(await statusWith(url, host.keys.eventGrid)).toBe(401);
  });

  it("the admin API takes only the master key", async () => {
    const url = `${host.url}/admin/functions/tick`;
    const init = { method: "POST", body: "{}" };
    for (const key of [undefined, host.keys.function, host.keys.durableTask, host.keys.eventGrid]) {
      expect(await statusWith(url, key, init)).toBe(401);
    }
    expect(await statusWith(url, host.keys.master, init)).toBe(202);
  });

  it("the durable API (rpc and webhook) takes the durabletask_extension key or the master key", async () => {
    for (const base of ["/durabletask/", "/runtime/webhooks/durabletask/"]) {
      const url = `${host.url}${base}instances/nobody`;
      for (const key of [undefined, host.keys.function, host.keys.eventGrid])
        expect(await statusWith(url, key)).toBe(401);
      // Past the key check: the instance does not exist.
      expect(await statusWith(url, host.keys.durableTask)).toBe(404);
      expect(await statusWith(url, host.keys.master)).toBe(404);
    }
    // An anonymous raiseEvent never reaches the instance.
    const raise = await call(`${host.url}/durabletask/instances/nobody/raiseEvent/Approval`, {
      method: "POST",
      json: "yes",
    });
    expect(raise.status).toBe(401);
  });

  it("Event Grid deliveries take the eventgrid_extension key or the master key", async () => {
    const url = `${host.url}/runtime/webhooks/eventgrid?functionName=onEvent`;
    const init = { method: "POST", headers: { "aeg-event-type": "SubscriptionValidation" }, body: "[]" };
    for (const key of [host.keys.function, host.keys.durableTask]) {
      expect((await call(`${url}&code=${key}`, init)).status).toBe(401);
    }
    expect((await call(`${url}&code=${host.keys.eventGrid}`, init)).status).toBe(400); // past auth: empty batch
    expect((await call(`${url}&code=${host.keys.master}`, init)).status).toBe(400);
  });

  it("no answer echoes a key: refusals name the key, never its value", async () => {
    const answers = [
      await call(api("secret")),
      await call(`${host.url}/admin/functions/tick`, { method: "POST", json: {} }),
      await call(`${host.url}/durabletask/instances/nobody`),
      await call(`${host.url}/runtime/webhooks/eventgrid?functionName=onEvent`, { method: "POST", json: [] }),
      await call(`${host.url}/durabletask/orchestrators/threeStep`, {
        method: "POST",
        body: "1",
        headers: { "x-functions-key": host.keys.durableTask },
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 202]);
    for (const a of answers) {
      const all = `${a.text} ${[...a.headers.values()].join(" ")}`;
      for (const key of Object.values(host.keys)) expect(all).not.toContain(key);
    }
  });
});

describe("hostile bodies", () => {
  const deep = (n: number): string => "[".repeat(n) + "]".repeat(n);

  it("answers JSON nested thousands of levels deep with 400 and a code on every entry point that parses", async () => {
    const event = `{"id":"d","eventType":"x","subject":"/d","data":${deep(5000)}}`;
    const hook = `${host.url}/runtime/webhooks/eventgrid?functionName=onEvent&code=${host.keys.eventGrid}`;
    const webhook = await call(hook, { method: "POST", headers: { "aeg-event-type": "Notification" }, body: event });
    expect(webhook.status).toBe(400);
    expect(webhook.json.error.code).toBe("InvalidJson");
    const master = { "x-functions-key": host.keys.master };
    const admin = await call(`${host.url}/admin/functions/onEvent`, {
      method: "POST",
      headers: master,
      json: { input: event },
    });
    expect(admin.status).toBe(400);
    const durableKey = { "x-functions-key": host.keys.durableTask };
    const start = await call(`${host.url}/durabletask/orchestrators/threeStep`, {
      method: "POST",
      headers: durableKey,
      body: deep(5000),
    });
    expect(start.status).toBe(400);
    expect(start.json.error.code).toBe("InvalidInput");
    const advance = await call(`${host.url}/admin/devhost/advance-time`, {
      method: "POST",
      headers: master,
      body: deep(5000),
    });
    expect(advance.status).toBe(400);
    expect((await call(api("hello/still-alive"))).status).toBe(200);
  });
});
