import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, type Devhost } from "../../devhost";
import { call, durable, type Loose, startSampleHost, T0, until } from "./support";

let host: Devhost;
const clock = new ManualClock(T0);
const DAY = 86_400_000;

beforeAll(async () => {
  host = await startSampleHost({ clock, schedule: false });
});
afterAll(async () => {
  await host?.stop();
});

/** Starts through the sample app's HTTP starter, i.e. through the SDK's DurableClient. */
async function start(name: string, input?: unknown, id?: string): Promise<string> {
  const r = await call(`${host.url}/api/orchestrators/${name}${id ? `/${id}` : ""}`, {
    method: "POST",
    body: input === undefined ? "" : JSON.stringify(input),
  });
  expect(r.status, r.text).toBe(202);
  return r.json.id as string;
}
const client = (op: string, id = "", json?: unknown) =>
  call(`${host.url}/api/client/${op}/${id}`, { method: "POST", json: json ?? {} });
const status = async (id: string, history = false): Promise<Loose> =>
  (await client("status", id, { showHistory: history })).json;

describe("durable orchestrations (in memory, manual clock)", () => {
  it("runs activities in sequence and in parallel, and sub-orchestrations", async () => {
    expect((await host.waitForInstance(await start("threeStep", 5))).output).toBe(40);
    expect((await host.waitForInstance(await start("fanOut"))).output).toBe(12);
    const parent = await start("parent", 1, "family");
    expect(await host.waitForInstance(parent)).toMatchObject({ runtimeStatus: "Completed", output: 9 });
    expect(await host.getInstance("family-child")).toMatchObject({
      name: "threeStep",
      runtimeStatus: "Completed",
      output: 8,
    });
    expect((await host.waitForInstance(await start("greeter", "Ada"))).output).toBe("Hello Ada");
  });

  it("retries a failing activity with backoff on the clock, and fails after max attempts", async () => {
    const ok = await start("retrying", { key: "a", failTimes: 2, maxAttempts: 3 });
    await host.whenIdle();
    expect((await status(ok)).runtimeStatus).toBe("Running");
    await host.advanceTime(1000); // first retry after 1 s
    expect((await status(ok)).runtimeStatus).toBe("Running");
    await host.advanceTime(1499); // second interval: min(1000*2, 1500) = 1.5 s
    expect((await status(ok)).runtimeStatus).toBe("Running");
    await host.advanceTime(1);
    expect(await host.waitForInstance(ok)).toMatchObject({ runtimeStatus: "Completed", output: { attempts: 3 } });

    const failed = await start("retrying", { key: "b", failTimes: 5, maxAttempts: 2 });
    await host.advanceTime(1000);
    await host.advanceTime(1500);
    const s = await host.waitForInstance(failed);
    expect(s.runtimeStatus).toBe("Failed");
    expect(String(s.output)).toContain("flaky attempt 2 failed");
  });

  it("fires a timer created already due when time jumps past it, as Azure fires it at once", async () => {
    const id = await start("twoDeadlines", { ms: DAY });
    await host.whenIdle();
    await host.advanceTime(3 * DAY); // past both deadlines in one jump
    expect(await status(id)).toMatchObject({ runtimeStatus: "Completed", output: "both passed" });
  });

  it("uses the OrchestratorStarted time, and splits timers longer than six days into chunks", async () => {
    const id = await start("sleeper", { ms: 10 * DAY });
    await host.whenIdle();
    const startedAt = clock.now();
    await host.advanceTime(3 * DAY);
    await host.advanceTime(3 * DAY);
    expect((await status(id)).runtimeStatus).toBe("Running");
    await host.advanceTime(4 * DAY);
    const s = await host.waitForInstance(id);
    expect(s.output).toEqual({
      started: new Date(startedAt).toISOString(),
      woke: new Date(startedAt + 10 * DAY).toISOString(),
    });
    const timers = (await status(id, true)).history.filter((e: Loose) => e.EventType === "TimerCreated");
    expect(timers.map((t: Loose) => t.FireAt)).toEqual(
      [3, 6, 10].map((d) => new Date(startedAt + d * DAY).toISOString()),
    );
  });

  it("Task.any over an external event and a timer: the event wins, or the deadline does", async () => {
    const approved = await start("approval", undefined, "approve-1");
    await host.whenIdle();
    expect((await status(approved)).customStatus).toEqual({ stage: "waiting" });
    expect((await client("raise", approved, { name: "Approval", data: { by: "ops" } })).status).toBe(202);
    expect(await host.waitForInstance(approved)).toMatchObject({
      output: { decision: { by: "ops" } },
      customStatus: { stage: "decided" },
    });

    const late = await start("approval", undefined, "approve-2");
    await host.advanceTime(3_600_000);
    expect((await host.waitForInstance(late)).output).toEqual({ decision: "timed out" });
  });

  it("keeps an event raised before the orchestrator waits for it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "devhost-late-"));
    const id = await start("lateWaiter", { dir });
    await until(async () => (existsSync(path.join(dir, "started")) ? true : undefined), "the gated activity to start");
    expect((await client("raise", id, { name: "Go", data: 7 })).status).toBe(202);
    writeFileSync(path.join(dir, "gate"), "");
    expect((await host.waitForInstance(id)).output).toEqual({ got: 7 });
    const types = (await status(id, true)).history.map((e: Loose) => e.EventType);
    expect(types.indexOf("EventRaised")).toBeLessThan(types.indexOf("TaskCompleted"));
    expect(readFileSync(path.join(dir, "started"), "utf8")).toBe("x");
  });

  it("continues as new until done", async () => {
    const id = await start("counter", 0);
    expect(await host.waitForInstance(id)).toMatchObject({ runtimeStatus: "Completed", input: 3, output: 3 });
  });

  it("fails an instance whose code is not deterministic, naming both calls", async () => {
    const s = await host.waitForInstance(await start("nondeterministic"));
    expect(s.runtimeStatus).toBe("Failed");
    expect(s.output).toMatch(/activity "double".*activity "greet"/);
  });

  it("fails an orchestration whose activity throws", async () => {
    const s = await host.waitForInstance(await start("failing"));
    expect(s.runtimeStatus).toBe("Failed");
    expect(String(s.output)).toContain("activity exploded");
    // The status answer keeps the message, not the stack trace or the machine's file paths.
    const answer = await durable(host, `instances/${s.instanceId}?showHistory=true&showHistoryOutput=true`);
    expect(answer.text).toContain("activity exploded");
    expect(answer.text).not.toMatch(/\s+at\s|\.js:\d+|sample-app/);
    const parent = await host.waitForInstance(await start("parentOfFailing"));
    expect(parent.runtimeStatus).toBe("Failed");
    expect(String(parent.output)).toMatch(/Orchestrator function 'failing' failed: .*activity exploded/);
  });

  it("start with a chosen id: 409 while running, a finished id may be reused", async () => {
    await start("approval", undefined, "reuse-me");
    const again = await durable(host, `orchestrators/approval/reuse-me`, { method: "POST", body: "" });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("InstanceExists");
    expect((await client("terminate", "reuse-me", { reason: "test over" })).status).toBe(202);
    expect(await host.waitForInstance("reuse-me")).toMatchObject({ runtimeStatus: "Terminated", output: "test over" });
    expect((await status("reuse-me", true)).history.at(-1)).toMatchObject({ EventType: "ExecutionTerminated" });
    await start("threeStep", 1, "reuse-me");
    expect(await host.waitForInstance("reuse-me")).toMatchObject({ name: "threeStep", output: 8 });
  });

  it("suspends and resumes; events raised while suspended wait", async () => {
    const id = await start("approval", undefined, "suspend-me");
    await host.whenIdle();
    expect((await client("suspend", id)).status).toBe(202);
    await client("raise", id, { name: "Approval", data: "yes" });
    await host.whenIdle();
    expect((await status(id)).runtimeStatus).toBe("Suspended");
    expect((await client("resume", id)).status).toBe(202);
    expect((await host.waitForInstance(id)).output).toEqual({ decision: "yes" });
  });

  it("purges finished instances, refuses running ones, and 404s/410s sensibly", async () => {
    const id = await start("threeStep", 2);
    await host.waitForInstance(id);
    expect((await client("purge", id)).json).toEqual({ instancesDeleted: 1 });
    expect(await host.getInstance(id)).toBeUndefined();
    const raw = (p: string, method = "GET") => durable(host, `${p}`, { method });
    expect((await raw(`instances/${id}`)).status).toBe(404);
    expect((await raw("instances/nobody/raiseEvent/X", "POST")).status).toBe(404);
    expect((await raw("instances/family/terminate?reason=x", "POST")).status).toBe(410);
    await start("approval", undefined, "still-running");
    expect((await raw("instances/still-running", "DELETE")).status).toBe(409);
    expect((await raw("orchestrators/noSuchOrchestrator", "POST")).json.error.code).toBe("UnknownOrchestrator");
    const badInput = await durable(host, `orchestrators/threeStep`, { method: "POST", body: "{oops" });
    expect(badInput.status).toBe(400);
    expect((await raw("instances/family/rewind?reason=x", "POST")).status).toBe(400);
  });

  it("lists with filters and continuation tokens (raw API and the SDK client)", async () => {
    const raw = await durable(host, `instances/?runtimeStatus=Completed&top=2`);
    expect(raw.json).toHaveLength(2);
    const token = raw.headers.get("x-ms-continuation-token");
    expect(token).toBeTruthy();
    const next = await durable(host, `instances/?runtimeStatus=Completed&top=2`, {
      headers: { "x-ms-continuation-token": token! },
    });
    expect(next.json[0].instanceId).not.toBe(raw.json[0].instanceId);
    const completed = (await client("list", "", { runtimeStatus: ["Completed"] })).json;
    expect(completed.length).toBeGreaterThanOrEqual(4);
    expect(completed.every((s: Loose) => s.runtimeStatus === "Completed")).toBe(true);
    const all = (await client("listAll")).json;
    expect(all.length).toBeGreaterThan(completed.length);
    expect((await durable(host, `instances/?runtimeStatus=Bogus`)).status).toBe(400);
  });

  it("gives the SDK management URLs that point at this host", async () => {
    const payload = (await client("payload", "abc")).json;
    expect(payload.id).toBe("abc");
    expect(payload.statusQueryGetUri.startsWith(`${host.url}/runtime/webhooks/durabletask/instances/abc?`)).toBe(true);
    // The binding carries the durabletask_extension system key, as the real host's does, and no other key.
    expect(payload.statusQueryGetUri).toContain(`code=${host.keys.durableTask}`);
    for (const other of [host.keys.function, host.keys.master, host.keys.eventGrid])
      expect(JSON.stringify(payload)).not.toContain(other);
    const viaWebhook = await call(payload.statusQueryGetUri.replace("abc", "family"));
    expect(viaWebhook.json.runtimeStatus).toBe("Completed");
    expect((await call(`${host.url}/runtime/webhooks/durabletask/instances/family`)).status).toBe(401);
  });
});
