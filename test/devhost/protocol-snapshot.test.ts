/**
 * Pins the internal contracts devhost relies on. If an upgrade of @azure/functions or durable-functions changes
 * them, these fail loudly: re-read the package sources (see devhost/README.md) before updating the expectations.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Module from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetLoadedModules, loadEntryFiles, readAppConfig } from "../../devhost/core/app-loader";
import { installCoreApi, resetCoreRegistry, type CoreRegistry } from "../../devhost/core/core-api-shim";
import { fromTypedData, Invoker } from "../../devhost/core/invoker";
import { buildRegistrations, type Registration } from "../../devhost/core/registry";
import { durableClientJson } from "../../devhost/durable/client-api";
import { SAMPLE_APP } from "./support";

let core: CoreRegistry;
let regs: Registration[];
let invoker: Invoker;
const appRequire = Module.createRequire(path.join(SAMPLE_APP, "package.json"));

beforeAll(() => {
  installCoreApi();
  core = resetCoreRegistry(() => {});
  forgetLoadedModules(SAMPLE_APP);
  loadEntryFiles(readAppConfig(SAMPLE_APP, { SAMPLE_HUB: "SnapHub" }));
  regs = buildRegistrations(core);
  invoker = new Invoker(core, () => {});
});

const reg = (name: string): Registration => regs.find((r) => r.name === name)!;

describe("@azure/functions worker contract", () => {
  it("pins the package versions devhost was written against", () => {
    expect((appRequire("@azure/functions/package.json") as { version: string }).version).toBe("4.16.5");
    expect((appRequire("durable-functions/package.json") as { version: string }).version).toBe("3.5.0");
    expect(core.programmingModel).toMatchObject({ name: "@azure/functions", version: "4.16.5" });
  });

  it("registers function metadata in the shape the worker receives", () => {
    expect(reg("secret").fn.metadata.bindings).toMatchObject({
      $return: { type: "http", direction: "out" },
    });
    const trigger = Object.values(reg("secret").fn.metadata.bindings).find((b) => b.type === "httpTrigger");
    expect(trigger).toMatchObject({ direction: "in", authLevel: "function", methods: ["GET"], route: "secret" });
    expect(reg("tick").trigger).toMatchObject({
      type: "timerTrigger",
      schedule: "%TICK_SCHEDULE%",
      runOnStartup: false,
    });
    expect(reg("double").trigger.type).toBe("activityTrigger");
    expect(reg("threeStep").trigger.type).toBe("orchestrationTrigger");
    expect(reg("startOrchestration").durableClientBinding).toBeDefined();
    expect([...core.hooks.keys()].sort()).toEqual(["appStart", "postInvocation", "preInvocation"]);
  });

  it("exposes getInvocationModel → getArguments → invokeFunction → getResponse", async () => {
    const r = reg("double");
    const model = core.programmingModel!.getInvocationModel({
      invocationId: "inv-1",
      metadata: r.fn.metadata,
      request: { inputData: [{ name: r.triggerName, data: { json: "5" } }], triggerMetadata: {} },
      log: () => {},
    });
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(model)).sort()).toEqual([
      "constructor",
      "getArguments",
      "getResponse",
      "invokeFunction",
    ]);
    const { context, inputs } = await model.getArguments();
    expect(inputs).toEqual([5]);
    expect(context).toMatchObject({ invocationId: "inv-1", functionName: "double" });
    const result = await model.invokeFunction(context, inputs, r.fn.handler);
    expect(result).toBe(10);
    expect(await model.getResponse(context, result)).toEqual({
      invocationId: "inv-1",
      outputData: [],
      returnValue: { int: 10 },
    });
  });
});

describe("durable-functions orchestrator contract", () => {
  const ts = "2026-01-01T00:00:00.000Z";
  const trigger = (history: unknown[], input: unknown) =>
    JSON.stringify({
      history,
      input,
      instanceId: "snap",
      isReplaying: false,
      upperSchemaVersion: 2,
      upperSchemaVersionNew: 2,
      maximumShortTimerDuration: "6.00:00:00",
      longRunningTimerIntervalDuration: "3.00:00:00",
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    });
  const run = async (name: string, history: unknown[], input?: unknown): Promise<unknown> =>
    fromTypedData((await invoker.invoke(reg(name), { trigger: { string: trigger(history, input) } })).returnValue);

  it("returns the whole replay's actions for a known history", async () => {
    const state = await run(
      "threeStep",
      [
        { EventType: 12, EventId: -1, IsPlayed: true, Timestamp: ts },
        { EventType: 0, EventId: -1, IsPlayed: true, Timestamp: ts, Name: "threeStep", Input: "5" },
        { EventType: 4, EventId: 0, IsPlayed: true, Timestamp: ts, Name: "double", Input: "5" },
        { EventType: 13, EventId: -1, IsPlayed: true, Timestamp: ts },
        { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: ts },
        { EventType: 5, EventId: -1, IsPlayed: false, Timestamp: ts, TaskScheduledId: 0, Result: "10" },
      ],
      5,
    );
    expect(state).toEqual({
      isDone: false,
      actions: [
        [
          { functionName: "double", actionType: 0, input: 5 },
          { functionName: "double", actionType: 0, input: 10 },
        ],
      ],
      schemaVersion: 2,
    });
  });

  it("nests Task.any as a WhenAny compound with a wait and a timer", async () => {
    const state = await run("approval", [
      { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: ts },
      { EventType: 0, EventId: -1, IsPlayed: false, Timestamp: ts, Name: "approval", Input: null },
    ]);
    expect((state as { actions: unknown }).actions).toEqual([
      [
        {
          actionType: 11,
          compoundActions: [
            { externalEventName: "Approval", reason: "ExternalEvent", actionType: 6 },
            { fireAt: "2026-01-01T01:00:00.000Z", isCanceled: false, actionType: 5 },
          ],
        },
      ],
    ]);
    expect(state).toMatchObject({ isDone: false, customStatus: { stage: "waiting" }, schemaVersion: 2 });
  });

  it("reports a failed orchestrator as an error carrying the state after $OutOfProcData$:", async () => {
    const failing = invoker.invoke(reg("failing"), {
      trigger: {
        string: trigger(
          [
            { EventType: 12, EventId: -1, IsPlayed: true, Timestamp: ts },
            { EventType: 0, EventId: -1, IsPlayed: true, Timestamp: ts, Name: "failing", Input: null },
            { EventType: 4, EventId: 0, IsPlayed: true, Timestamp: ts, Name: "alwaysFails" },
            { EventType: 13, EventId: -1, IsPlayed: true, Timestamp: ts },
            { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: ts },
            {
              EventType: 6,
              EventId: -1,
              IsPlayed: false,
              Timestamp: ts,
              TaskScheduledId: 0,
              Reason: "boom",
              Details: "stack",
            },
          ],
          null,
        ),
      },
    });
    // The SDK passes `orchestratorReturned` (false) as the error, hence the "false" prefix; devhost reads `error`.
    await expect(failing).rejects.toThrow(
      'false\n\n$OutOfProcData$:{"isDone":false,"actions":[[{"functionName":"alwaysFails","actionType":0}]],"schemaVersion":2,"error":"boom \\n stack"}',
    );
  });
});

describe("durable-functions client contract", () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  const status = {
    name: "o",
    instanceId: "i1",
    runtimeStatus: "Running",
    input: null,
    output: null,
    createdTime: "2026-01-01T00:00:00Z",
    lastUpdatedTime: "2026-01-01T00:00:00Z",
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader("content-type", "application/json");
      if (req.method === "POST" && req.url!.startsWith("/durabletask/orchestrators/"))
        return res.writeHead(202).end(JSON.stringify({ id: "i1" }));
      if (req.method === "GET" && req.url!.startsWith("/durabletask/instances/?"))
        return res.writeHead(200).end(JSON.stringify([status]));
      if (req.method === "GET") return res.writeHead(202).end(JSON.stringify(status));
      if (req.method === "DELETE") return res.writeHead(200).end(JSON.stringify({ instancesDeleted: 1 }));
      res.writeHead(202).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends the calls devhost serves, to these URLs", async () => {
    const df = appRequire("durable-functions") as typeof import("durable-functions");
    const { InvocationContext } = appRequire("@azure/functions") as typeof import("@azure/functions");
    const clientInput = df.input.durableClient();
    const context = new InvocationContext({ functionName: "snap", options: { extraInputs: [clientInput] } });
    context.extraInputs.set(clientInput, durableClientJson({ origin: base, hubName: "SnapHub", key: "k" }));
    const previous = process.env.WEBSITE_HOSTNAME;
    process.env.WEBSITE_HOSTNAME = "127.0.0.1";
    try {
      const client = df.getClient(context);
      expect(await client.startNew("o", { instanceId: "i1", input: { a: 1 } })).toBe("i1");
      await client.getStatus("i1", { showHistory: true, showHistoryOutput: true });
      await client.getStatusBy({
        runtimeStatus: [df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending],
      });
      await client.raiseEvent("i1", "Approval", { ok: true });
      await client.terminate("i1", "why");
      await client.suspend("i1", "why");
      await client.resume("i1", "why");
      await client.purgeInstanceHistory("i1");
      expect(client.createHttpManagementPayload("i1").statusQueryGetUri).toBe(
        `${base}/runtime/webhooks/durabletask/instances/i1?taskHub=SnapHub&connection=Storage&code=k`,
      );
    } finally {
      if (previous === undefined) delete process.env.WEBSITE_HOSTNAME;
      else process.env.WEBSITE_HOSTNAME = previous;
    }
    expect(seen).toEqual([
      "POST /durabletask/orchestrators/o/i1",
      "GET /durabletask/instances/i1?showHistory=true&showHistoryOutput=true",
      "GET /durabletask/instances/?runtimeStatus=Running,Pending",
      "POST /durabletask/instances/i1/raiseEvent/Approval",
      "POST /durabletask/instances/i1/terminate?reason=why",
      "POST /durabletask/instances/i1/suspend?reason=why",
      "POST /durabletask/instances/i1/resume?reason=why",
      "DELETE /durabletask/instances/i1",
    ]);
  });
});
