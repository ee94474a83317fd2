import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock, systemClock } from "./clock";
import { forgetLoadedModules, loadEntryFiles, readAppConfig, resolveSetting } from "./core/app-loader";
import { installCoreApi, resetCoreRegistry } from "./core/core-api-shim";
import { fromTypedData, FunctionInvocationError, Invoker } from "./core/invoker";
import { buildRegistrations, describeRegistrations, RegistrationError, type Registration } from "./core/registry";
import type { RpcTypedData } from "./core/rpc-types";
import { durableClientJson, handleDurableApi, type ClientUrls } from "./durable/client-api";
import { DurableEngine, type ActivityOutcome } from "./durable/engine";
import type { OrchestratorOutput } from "./durable/history";
import type { DurableStore, InstanceState } from "./durable/instance-state";
import type { OrchestratorRun } from "./durable/replay";
import { statusBody } from "./durable/status-view";
import { MemoryStore } from "./durable/store-memory";
import { Slots } from "./durable/slots";
import { TableStore } from "./durable/store-table";
import type { Devhost, DevhostOptions, InstanceStatus, RegistrationInfo } from "./host-types";
import { handleAdvanceTime, handleInvokeFunction, type AdminDeps } from "./http/admin-api";
import { authorised, generateKeys, keyAdvice, type KeyScope } from "./http/auth";
import { EasyAuth } from "./http/easy-auth";
import { handleEventGrid, type EventGridFunctions } from "./http/eventgrid-webhook";
import { handleHttpTrigger, type HttpTriggers } from "./http/http-trigger";
import { errorMessage, safeDecode } from "./http/request-parts";
import { sendError } from "./http/respond";
import { timerJob, TimerScheduler, type TimerJob, type TimerPayload } from "./timers/timer-scheduler";

const OUT_OF_PROC_LABEL = "$OutOfProcData$:";
const DURABLE_RPC = "/durabletask/";
const DURABLE_WEBHOOK = "/runtime/webhooks/durabletask/";
const ADMIN_FUNCTIONS = "/admin/functions/";

/** Starts the app in this process (one app per process: its settings become process.env). */
export async function startDevhost(options: DevhostOptions): Promise<Devhost> {
  const log = options.log ?? ((line: string) => console.log(line));
  for (const [k, v] of Object.entries(options.settings ?? {})) process.env[k] = v;
  const clock = options.clock ?? systemClock;
  const manualClock = clock instanceof ManualClock ? clock : undefined;
  const bodyLimit = options.maxBodyBytes ?? 10 * 1024 * 1024;

  installCoreApi();
  const core = resetCoreRegistry((level, message) => {
    if (level !== "debug" && level !== "trace") log(`[host ${level}] ${message}`);
  });
  const config = readAppConfig(options.appRoot, process.env);
  forgetLoadedModules(config.appRoot);
  loadEntryFiles(config);
  if (!core.programmingModel) {
    throw new RegistrationError(
      `The app at ${config.appRoot} did not load @azure/functions, so it registered nothing.`,
    );
  }
  const regs = buildRegistrations(core);
  const timerJobs = buildTimerJobs(regs);
  const capabilities = await core.programmingModel.getCapabilities({});
  if (capabilities.HttpUri) {
    throw new RegistrationError(
      "The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which devhost does not support; turn it off locally.",
    );
  }

  const keys = generateKeys({ function: options.localKey, ...options.keys });
  const byName = new Map(regs.map((r) => [r.name.toLowerCase(), r]));
  const find = (name: string): Registration | undefined => byName.get(name.toLowerCase());
  const invoker = new Invoker(core, (fn, level, message) =>
    log(`[${fn}]${level === "information" ? "" : ` ${level}:`} ${message}`),
  );
  let urls: ClientUrls = { origin: "", hubName: config.hubName, key: keys.durableTask };

  const extraInputs = (reg: Registration): Record<string, RpcTypedData> =>
    reg.durableClientBinding ? { [reg.durableClientBinding]: { string: JSON.stringify(durableClientJson(urls)) } } : {};
  const invokeWith = (reg: Registration, trigger: RpcTypedData) =>
    invoker.invoke(reg, { trigger, extraInputs: extraInputs(reg) });

  const store: DurableStore =
    options.storage && options.storage !== "memory"
      ? await TableStore.open(options.storage.tableConnectionString, config.hubName)
      : new MemoryStore();
  const activitySlots = new Slots(config.maxConcurrentActivities);
  const orchestratorSlots = new Slots(config.maxConcurrentOrchestrations);
  const engine = new DurableEngine({
    store,
    clock,
    autoTimers: !manualClock,
    runActivitiesTwice: options.runActivitiesTwice,
    log,
    hasOrchestrator: (name) => find(name)?.kind === "orchestration",
    runOrchestrator: (name, trigger) => orchestratorSlots.run(() => runOrchestrator(find(name)!, trigger)),
    runActivity: (name, inputText) => activitySlots.run(() => runActivity(find(name), name, inputText)),
  });

  async function runOrchestrator(reg: Registration, trigger: Record<string, unknown>): Promise<OrchestratorRun> {
    try {
      const response = await invokeWith(reg, { string: JSON.stringify(trigger) });
      const output = fromTypedData(response.returnValue) as OrchestratorOutput | undefined;
      if (!output || !Array.isArray(output.actions))
        return { failure: `Orchestrator ${reg.name} returned no orchestrator state.` };
      return { output };
    } catch (err) {
      const message = errorMessage(err);
      const at = message.indexOf(OUT_OF_PROC_LABEL);
      if (at < 0) return { failure: message };
      const state = JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorOutput;
      return { failure: state.error ?? message.slice(0, at).trim(), output: state };
    }
  }

  async function runActivity(reg: Registration | undefined, name: string, inputText: string): Promise<ActivityOutcome> {
    if (!reg || reg.kind !== "activity") {
      const reason = `The activity function '${name}' is not registered in this app.`;
      return { ok: false, reason, details: reason };
    }
    try {
      const response = await invokeWith(reg, { json: inputText });
      return { ok: true, resultText: JSON.stringify(fromTypedData(response.returnValue) ?? null) };
    } catch (err) {
      const cause = err instanceof FunctionInvocationError ? err.cause : err;
      const reason = errorMessage(err);
      return { ok: false, reason, details: cause instanceof Error ? (cause.stack ?? reason) : reason };
    }
  }

  const fireTimerFunction = async (name: string, payload: TimerPayload): Promise<void> => {
    await invokeWith(find(name)!, { json: JSON.stringify(payload) });
  };
  const timers = new TimerScheduler(
    timerJobs,
    clock,
    fireTimerFunction,
    options.schedule !== false && !manualClock,
    log,
  );

  const invokeEventGrid = async (reg: Registration, event: unknown): Promise<void> => {
    await invokeWith(reg, { json: JSON.stringify(event) });
  };
  const admin: AdminDeps = {
    bodyLimit,
    find,
    advanceTime: manualClock ? (ms) => host.advanceTime(ms) : undefined,
    fireTimer: (name) => timers.fireNow(name),
    invokeEventGrid,
  };
  const eventGrid: EventGridFunctions = { find, invoke: invokeEventGrid, bodyLimit };
  const httpTriggers: HttpTriggers = {
    regs: regs.filter((r) => r.kind === "http"),
    keys,
    bodyLimit,
    invoke: (reg, request) => invokeWith(reg, { http: request }),
  };
  const prefix = config.routePrefix ? `/${config.routePrefix}` : "";
  const easyAuth = new EasyAuth();

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log(`devhost: ${err instanceof Error ? err.stack : String(err)}`);
      sendError(res, 500, "HostError", "devhost failed to handle the request; see its log.");
    });
  });

  /** One place routes every request: which handler serves the path, and which key it needs. */
  function routeFor(method: string, path: string): Route | undefined {
    if (path === "/runtime/webhooks/eventgrid") {
      // The CloudEvents OPTIONS handshake only echoes the origin; deliveries need the extension's key.
      const scope = method === "OPTIONS" ? "anonymous" : "eventGrid";
      return { scope, serve: (req, res, url) => handleEventGrid(eventGrid, req, res, url) };
    }
    for (const base of [DURABLE_RPC, DURABLE_WEBHOOK]) {
      if (path.startsWith(base)) {
        const rest = path.slice(base.length);
        return {
          scope: "durableTask",
          serve: (req, res, url) => handleDurableApi(engine, urls, req, res, url, rest, bodyLimit),
        };
      }
    }
    if (path === "/admin/devhost/advance-time")
      return { scope: "admin", serve: (req, res) => handleAdvanceTime(admin, req, res) };
    if (path.startsWith(ADMIN_FUNCTIONS)) {
      const name = safeDecode(path.slice(ADMIN_FUNCTIONS.length));
      return { scope: "admin", serve: (req, res) => handleInvokeFunction(admin, req, res, name) };
    }
    if (prefix === "" || path === prefix || path.startsWith(`${prefix}/`)) {
      // Each HTTP function has its own authLevel: the trigger checks it once the route matched.
      const rest = path.slice(prefix.length);
      return { scope: "anonymous", serve: (req, res, url) => handleHttpTrigger(httpTriggers, req, res, url, rest) };
    }
    return undefined;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Concatenate rather than resolve: a request line like "//other-host/x" must stay a path on this host.
    const raw = req.url ?? "/";
    const url = new URL(raw.startsWith("/") ? `${urls.origin}${raw}` : `${urls.origin}/${raw}`);
    const path = url.pathname;
    // App Service authentication sits in front of everything: it strips forged principal headers on every request.
    easyAuth.applyTo(req);
    if (await easyAuth.handle(req, res, url)) return;
    const target = routeFor(req.method ?? "GET", path);
    if (!target)
      return sendError(
        res,
        404,
        "RouteNotFound",
        `Nothing is served at ${path}; HTTP functions live under ${prefix || "/"}.`,
      );
    if (target.scope !== "anonymous" && !authorised(req, url, keys, target.scope))
      return sendError(res, 401, "Unauthorized", keyAdvice(target.scope));
    return target.serve(req, res, url);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 7071, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  urls = { origin: `http://127.0.0.1:${port}`, hubName: config.hubName, key: keys.durableTask };
  // durable-functions rewrites client URLs to localhost:7071 unless WEBSITE_HOSTNAME names the host.
  // A previous devhost in this process may have set it: then it is ours to replace.
  const ownsHostname = !process.env.WEBSITE_HOSTNAME || process.env.DEVHOST_OWNS_WEBSITE_HOSTNAME === "1";
  if (ownsHostname) {
    process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;
    process.env.DEVHOST_OWNS_WEBSITE_HOSTNAME = "1";
  }

  const descriptions = describeRegistrations(regs, urls.origin, config.routePrefix);
  const registrations: RegistrationInfo[] = regs.map((r, i) => ({
    name: r.name,
    kind: r.kind,
    description: descriptions[i]!,
    route: r.http?.route.template,
    methods: r.http?.methods,
    authLevel: r.http?.authLevel,
    schedule: r.timer?.schedule,
  }));
  log("Functions:");
  for (const line of descriptions) log(`  ${line}`);
  // Printed once, for people; never in an answer.
  log(`Function key (x-functions-key header or ?code=): ${keys.function}`);
  log(`Master key (admin API): ${keys.master}`);
  log(`System keys: durabletask_extension ${keys.durableTask}, eventgrid_extension ${keys.eventGrid}`);

  await invoker.runHooks("appStart", { hookData: {}, functionAppDirectory: config.appRoot });
  const resumed = await engine.recover();
  if (resumed > 0) log(`Resumed ${resumed} durable instance(s) from storage.`);
  await timers.start();
  log(
    `devhost listening on ${urls.origin} (task hub ${config.hubName}, ${store instanceof TableStore ? "Table Storage" : "in-memory"} state)`,
  );

  let stopped = false;
  const host: Devhost = {
    url: urls.origin,
    port,
    localKey: keys.function,
    keys,
    hubName: config.hubName,
    registrations,
    async stop() {
      if (stopped) return;
      stopped = true;
      timers.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await engine.stop();
      await invoker.runHooks("appTerminate", { hookData: {} });
      await store.close();
      if (ownsHostname) {
        delete process.env.WEBSITE_HOSTNAME;
        delete process.env.DEVHOST_OWNS_WEBSITE_HOSTNAME;
      }
    },
    async waitForInstance(instanceId, opts) {
      return toStatus(await engine.waitFor(instanceId, opts?.timeoutMs ?? 30_000));
    },
    async getInstance(instanceId) {
      const s = await engine.getState(instanceId);
      return s ? toStatus(s) : undefined;
    },
    async fireTimer(name) {
      const reg = find(name);
      if (!reg || reg.kind !== "timer") throw new Error(`No timer function named ${name}.`);
      await timers.fireNow(reg.name);
    },
    async advanceTime(ms) {
      if (!manualClock) throw new Error("advanceTime needs a ManualClock passed as options.clock.");
      manualClock.advance(ms);
      await engine.whenIdle();
      // A timer that an episode creates already due (its time passed during this jump) fires too, as Azure would
      // fire it at once; bounded, so an orchestration that keeps making due timers cannot stall the call.
      for (let round = 0; round < 100 && (await engine.fireDueTimers()) > 0; round++) await engine.whenIdle();
      if (options.schedule !== false) await timers.runDue();
      await engine.whenIdle();
    },
    whenIdle: () => engine.whenIdle(),
  };
  return host;
}

interface Route {
  scope: KeyScope | "anonymous";
  serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

function buildTimerJobs(regs: Registration[]): TimerJob[] {
  const problems: string[] = [];
  const jobs: TimerJob[] = [];
  for (const r of regs.filter((x) => x.kind === "timer")) {
    try {
      const schedule = resolveSetting(r.timer!.schedule, process.env, `The schedule of ${r.name}`);
      r.timer!.schedule = schedule;
      jobs.push(timerJob(r.name, schedule, r.timer!.runOnStartup));
    } catch (err) {
      problems.push(`Function "${r.name}": ${errorMessage(err)}`);
    }
  }
  if (problems.length > 0) throw new RegistrationError(`devhost cannot run this app:\n- ${problems.join("\n- ")}`);
  return jobs;
}

function toStatus(s: InstanceState): InstanceStatus {
  return statusBody(s, new URLSearchParams()) as unknown as InstanceStatus;
}
