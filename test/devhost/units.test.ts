import { mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expandGlob, readAppConfig } from "../../devhost/core/app-loader";
import { resetCoreRegistry } from "../../devhost/core/core-api-shim";
import { Slots } from "../../devhost/durable/slots";
import { buildRegistrations } from "../../devhost/core/registry";
import { compileRoute } from "../../devhost/http/route-template";
import { parseNcrontab } from "../../devhost/timers/ncrontab";
import { SAMPLE_APP } from "./support";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe("NCRONTAB", () => {
  it("finds the next occurrence, seconds included", () => {
    expect(iso(parseNcrontab("*/10 * * * * *").next(at("2026-01-01T00:00:05Z")))).toBe("2026-01-01T00:00:10.000Z");
    expect(iso(parseNcrontab("0 */5 * * * *").next(at("2026-01-01T00:04:59Z")))).toBe("2026-01-01T00:05:00.000Z");
    expect(iso(parseNcrontab("0 30 9 * * 1-5").next(at("2026-01-02T10:00:00Z")))).toBe("2026-01-05T09:30:00.000Z"); // Fri → Mon
    expect(iso(parseNcrontab("0 0 0 29 Feb *").next(at("2026-03-01T00:00:00Z")))).toBe("2028-02-29T00:00:00.000Z");
    expect(iso(parseNcrontab("0 0 12 * * Sun").next(at("2026-01-01T00:00:00Z")))).toBe("2026-01-04T12:00:00.000Z");
    expect(iso(parseNcrontab("15,45 0 0 1 1 *").next(at("2026-01-01T00:00:15Z")))).toBe("2026-01-01T00:00:45.000Z");
    // The next occurrence is strictly after the given time.
    expect(iso(parseNcrontab("0 * * * * *").next(at("2026-01-01T00:01:00Z")))).toBe("2026-01-01T00:02:00.000Z");
  });

  it("rejects five-field and malformed schedules with a clear message", () => {
    expect(() => parseNcrontab("*/5 * * * *")).toThrow(/six NCRONTAB fields/);
    expect(() => parseNcrontab("0 61 * * * *")).toThrow(/minute field "61"/);
    expect(() => parseNcrontab("0 0 0 31 2 *").next(at("2026-01-01T00:00:00Z"))).toThrow(/never fires/);
    expect(() => parseNcrontab("0 */0 * * * *")).toThrow(/minute/);
  });
});

describe("route templates", () => {
  it("matches literals case-insensitively, parameters, optional and catch-all segments", () => {
    expect(compileRoute("connections/{key}").match("/Connections/a%2Fb")).toEqual({ key: "a/b" });
    expect(compileRoute("hello/{name?}").match("hello")).toEqual({});
    expect(compileRoute("files/{*rest}").match("files/a/b/c")).toEqual({ rest: "a/b/c" });
    expect(compileRoute("a/{b}").match("a/b/c")).toBeUndefined();
  });

  it("rejects constraints and defaults at registration", () => {
    expect(() => compileRoute("items/{id:int}")).toThrow(/constraint or default ":int".*not supported/);
    expect(() => compileRoute("items/{id=1}")).toThrow(/not supported/);
    expect(() => compileRoute("a/{b?}/c")).toThrow(/only trailing parameters/);
  });
});

describe("Slots (the host's concurrency limits)", () => {
  it("runs at most `size` pieces of work at once and starts the waiting ones in arrival order", async () => {
    const slots = new Slots(2);
    const gates: (() => void)[] = [];
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const work = (n: number) =>
      slots.run(async () => {
        started.push(n);
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return n;
      });
    const all = Promise.all([1, 2, 3, 4, 5].map(work));
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it("keeps arrival order through thousands of waiters, across the queue's compaction, and frees every slot", async () => {
    const slots = new Slots(3);
    const order: number[] = [];
    let running = 0;
    let most = 0;
    const all = Promise.all(
      Array.from({ length: 5_000 }, (_, n) =>
        slots.run(async () => {
          order.push(n);
          most = Math.max(most, ++running);
          await new Promise((r) => setImmediate(r));
          running--;
        }),
      ),
    );
    await all;
    expect(order).toEqual(Array.from({ length: 5_000 }, (_, n) => n));
    expect(most).toBe(3);
    // Every slot came back: three more run at once without waiting on anything.
    let together = 0;
    const gate = new Promise<void>((resolve) => setImmediate(resolve));
    await Promise.all([1, 2, 3].map(() => slots.run(async () => (together++, await gate))));
    expect(together).toBe(3);
  });

  it("frees the slot when the work fails", async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await slots.run(async () => "next")).toBe("next");
  });
});

describe("app loading", () => {
  it("expands package.json main globs and reads host.json with %SETTING% resolution", () => {
    expect(expandGlob(SAMPLE_APP, "functions/*.js").map((f) => f.slice(SAMPLE_APP.length + 1))).toEqual([
      "functions/durable.js",
      "functions/http.js",
      "functions/state.js",
      "functions/triggers.js",
    ]);
    expect(readAppConfig(SAMPLE_APP, { SAMPLE_HUB: "Hub1" })).toMatchObject({ routePrefix: "api", hubName: "Hub1" });
    expect(() => readAppConfig(SAMPLE_APP, {})).toThrow(/setting SAMPLE_HUB which is not set/);
  });

  it("takes the durable concurrency limits from host.json, 10 × the processors when absent", () => {
    const appWith = (durableTask: Record<string, unknown>): string => {
      const root = mkdtempSync(path.join(tmpdir(), "devhost-limits-"));
      writeFileSync(path.join(root, "package.json"), JSON.stringify({ main: "index.js" }));
      writeFileSync(path.join(root, "index.js"), "");
      writeFileSync(path.join(root, "host.json"), JSON.stringify({ version: "2.0", extensions: { durableTask } }));
      return root;
    };
    expect(readAppConfig(appWith({ maxConcurrentActivityFunctions: 3 }), {})).toMatchObject({
      maxConcurrentActivities: 3,
      maxConcurrentOrchestrations: 10 * availableParallelism(),
    });
    expect(() => readAppConfig(appWith({ maxConcurrentOrchestratorFunctions: 0 }), {})).toThrow(
      /durableTask\.maxConcurrentOrchestratorFunctions is 0; set a positive whole number/,
    );
  });

  it("refuses, at registration, bindings and triggers it cannot run", () => {
    const reg = resetCoreRegistry(() => {});
    const fn = (name: string, bindings: Record<string, Record<string, unknown>>) =>
      reg.functions.set(name, { metadata: { name, bindings }, handler: () => undefined });
    fn("queue", { item: { type: "queueTrigger", direction: "in" } });
    fn("counterEntity", { ctx: { type: "entityTrigger", direction: "in" } });
    fn("blobOut", { req: { type: "httpTrigger", direction: "in" }, out: { type: "blob", direction: "out" } });
    fn("constrained", { req: { type: "httpTrigger", direction: "in", route: "x/{id:int}" } });
    let message = "";
    try {
      buildRegistrations(reg);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('"queue": trigger type "queueTrigger" is not supported');
    expect(message).toContain("Durable entities are not supported");
    expect(message).toContain('binding "out" of type "blob" is not supported');
    expect(message).toContain('"constrained": Route "x/{id:int}"');
  });
});

describe("timer scheduler", () => {
  it("runs runOnStartup jobs at start, then on schedule; a late run is past due", async () => {
    const { ManualClock } = await import("../../devhost/clock");
    const { TimerScheduler, timerJob } = await import("../../devhost/timers/timer-scheduler");
    const clock = new ManualClock(at("2026-01-01T00:00:00Z"));
    const fired: { name: string; pastDue: boolean; last: string; next: string }[] = [];
    const scheduler = new TimerScheduler(
      [timerJob("every5", "*/5 * * * * *", true), timerJob("hourly", "0 0 * * * *", false)],
      clock,
      async (name, p) => {
        fired.push({ name, pastDue: p.IsPastDue, last: p.ScheduleStatus.Last, next: p.ScheduleStatus.Next });
      },
      false,
      () => {},
    );
    await scheduler.start();
    expect(fired.map((f) => f.name)).toEqual(["every5"]);
    clock.advance(5000);
    await scheduler.runDue();
    expect(fired[1]).toEqual({
      name: "every5",
      pastDue: false,
      last: "2026-01-01T00:00:00.000Z",
      next: "2026-01-01T00:00:10.000Z",
    });
    clock.advance(3_595_000); // exactly 01:00:00: hourly is on time, every5 missed many runs
    await scheduler.runDue();
    expect(fired.slice(2).map((f) => [f.name, f.pastDue])).toEqual([
      ["every5", true],
      ["hourly", false],
    ]);
    scheduler.stop();
  });
});
