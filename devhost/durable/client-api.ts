import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, sendError, sendJson } from "../http/respond";
import type { DurableEngine } from "./engine";
import { EventType, type HistoryEvent } from "./history";
import { isTerminal, type InstanceState, type RuntimeStatus } from "./instance-state";

const EVENT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k]));
EVENT_NAMES[3] = "ExecutionTerminated";
const STATUSES: RuntimeStatus[] = [
  "Pending",
  "Running",
  "Completed",
  "ContinuedAsNew",
  "Failed",
  "Terminated",
  "Suspended",
];
const DEFAULT_PAGE = 100;

export interface ClientUrls {
  /** e.g. http://127.0.0.1:7071 */
  origin: string;
  hubName: string;
  key: string;
}

/** The durableClient binding value the host hands to a function: where the SDK's DurableClient sends its calls. */
export function durableClientJson(u: ClientUrls): Record<string, unknown> {
  const webhook = `${u.origin}/runtime/webhooks/durabletask`;
  const instance = `${webhook}/instances/INSTANCEID`;
  const qs = `taskHub=${encodeURIComponent(u.hubName)}&connection=Storage&code=${u.key}`;
  return {
    taskHubName: u.hubName,
    creationUrls: {
      createNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?code=${u.key}`,
      createAndWaitOnNewInstancePostUri: `${webhook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${u.key}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${instance}?${qs}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${qs}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${qs}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${qs}`,
      purgeHistoryDeleteUri: `${instance}?${qs}`,
      restartPostUri: `${instance}/restart?${qs}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${qs}`,
      resumePostUri: `${instance}/resume?reason={text}&${qs}`,
    },
    baseUrl: webhook,
    requiredQueryStringParameters: `code=${u.key}`,
    rpcBaseUrl: `${u.origin}/durabletask/`,
    httpBaseUrl: "",
  };
}

function managementPayload(u: ClientUrls, instanceId: string): Record<string, string> {
  const urls = durableClientJson(u).managementUrls as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(urls)) out[k] = v.replace("INSTANCEID", encodeURIComponent(instanceId));
  return out;
}

/**
 * The Durable extension's HTTP API (the rpc flavour the JS SDK uses, also served under /runtime/webhooks/durabletask).
 * `path` is what follows the API base, e.g. `instances/abc/raiseEvent/Approval`.
 */
export async function handleDurableApi(
  engine: DurableEngine,
  urls: ClientUrls,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
  bodyLimit: number,
): Promise<void> {
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(safeDecode);
  const method = req.method ?? "GET";
  let body: Buffer;
  try {
    body = await readBody(req, bodyLimit);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      return sendError(
        res,
        413,
        "PayloadTooLarge",
        `The request body is over ${bodyLimit} bytes; send a smaller input.`,
      );
    throw err;
  }
  const [head, id, action, eventName] = parts;

  if (head === "orchestrators" && method === "POST" && id && parts.length <= 3) {
    const instanceId = parts[2];
    if (instanceId !== undefined && !validInstanceId(instanceId)) {
      return sendError(
        res,
        400,
        "InvalidInstanceId",
        "Instance ids must be 1-256 characters, without control characters or a leading '@'.",
      );
    }
    const input = jsonText(body);
    if (input === undefined)
      return sendError(res, 400, "InvalidInput", "The orchestration input must be JSON (or an empty body for none).");
    const started = await engine.start(id, instanceId, input);
    if (started.kind === "unknownOrchestrator") {
      return sendError(
        res,
        400,
        "UnknownOrchestrator",
        `The function '${id}' doesn't exist or is not an orchestrator function; check the name.`,
      );
    }
    if (started.kind === "conflict") {
      return sendError(
        res,
        409,
        "InstanceExists",
        `An instance with id '${instanceId}' is ${started.status}; wait for it to finish or terminate it first.`,
      );
    }
    const payload = managementPayload(urls, started.instanceId);
    return sendJson(res, 202, { id: started.instanceId, ...payload }, { location: payload.statusQueryGetUri! });
  }

  if (head !== "instances")
    return sendError(
      res,
      404,
      "NotFound",
      `No durable API at '${path}'; see the devhost README for the supported routes.`,
    );

  if (!id) {
    if (method === "GET") return listInstances(engine, req, res, url);
    if (method === "DELETE") return purgeBy(engine, res, url);
    return sendError(res, 405, "MethodNotAllowed", "Use GET to list instances or DELETE to purge them.");
  }
  if (!action) {
    if (method === "GET") {
      const state = await engine.getState(id);
      if (!state) return sendError(res, 404, "InstanceNotFound", `No instance with id '${id}'.`);
      return sendJson(res, isTerminal(state.status) ? 200 : 202, statusBody(state, url.searchParams));
    }
    if (method === "DELETE") {
      const r = await engine.purge(id);
      if (r === "notFound") return sendError(res, 404, "InstanceNotFound", `No instance with id '${id}'.`);
      if (r === "running")
        return sendError(
          res,
          409,
          "InstanceRunning",
          `Instance '${id}' is still running; terminate it before purging.`,
        );
      return sendJson(res, 200, { instancesDeleted: 1 });
    }
    return sendError(res, 405, "MethodNotAllowed", "Use GET for status or DELETE to purge.");
  }
  if (method !== "POST") return sendError(res, 405, "MethodNotAllowed", `Use POST for '${action}'.`);
  const reason = url.searchParams.get("reason");
  let result;
  switch (action) {
    case "raiseEvent": {
      if (!eventName)
        return sendError(res, 400, "MissingEventName", "Name the event: instances/{id}/raiseEvent/{eventName}.");
      const input = jsonText(body);
      if (input === undefined) return sendError(res, 400, "InvalidInput", "The event data must be JSON.");
      result = await engine.raiseEvent(id, eventName, input ?? "null");
      break;
    }
    case "terminate":
      result = await engine.terminate(id, reason);
      break;
    case "suspend":
      result = await engine.suspend(id, reason);
      break;
    case "resume":
      result = await engine.resume(id, reason);
      break;
    case "rewind":
    case "restart":
      return sendError(
        res,
        501,
        "NotSupported",
        `'${action}' is not supported by devhost; start a new instance instead.`,
      );
    default:
      return sendError(res, 404, "NotFound", `Unknown instance operation '${action}'.`);
  }
  if (result === "notFound") return sendError(res, 404, "InstanceNotFound", `No instance with id '${id}'.`);
  if (result === "gone") return sendError(res, 410, "InstanceFinished", `Instance '${id}' has already finished.`);
  res.writeHead(202).end();
}

async function listInstances(
  engine: DurableEngine,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const q = url.searchParams;
  const filter = parseFilter(q);
  if ("error" in filter) return sendError(res, 400, "InvalidQuery", filter.error);
  const top = q.has("top") ? Number(q.get("top")) : DEFAULT_PAGE;
  if (!Number.isInteger(top) || top <= 0) return sendError(res, 400, "InvalidQuery", "top must be a positive integer.");
  const tokenHeader = req.headers["x-ms-continuation-token"];
  const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
  const offset = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    return sendError(res, 400, "InvalidContinuationToken", "Send back the x-ms-continuation-token you received.");
  const matches = (await engine.list())
    .filter((s) => matchesFilter(s, filter))
    .sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId));
  const page = matches.slice(offset, offset + top);
  const bodies = [];
  for (const s of page) {
    const state = await engine.getState(s.instanceId);
    if (state) bodies.push(statusBody(state, q));
  }
  const headers: Record<string, string> = {};
  if (offset + top < matches.length)
    headers["x-ms-continuation-token"] = Buffer.from(String(offset + top)).toString("base64url");
  sendJson(res, 200, bodies, headers);
}

async function purgeBy(engine: DurableEngine, res: ServerResponse, url: URL): Promise<void> {
  const filter = parseFilter(url.searchParams);
  if ("error" in filter) return sendError(res, 400, "InvalidQuery", filter.error);
  let deleted = 0;
  for (const s of await engine.list()) {
    if (isTerminal(s.status) && matchesFilter(s, filter) && (await engine.purge(s.instanceId)) === "ok") deleted++;
  }
  if (deleted === 0) return sendError(res, 404, "NothingToPurge", "No finished instance matched the filter.");
  sendJson(res, 200, { instancesDeleted: deleted });
}

interface Filter {
  statuses?: RuntimeStatus[];
  from?: number;
  to?: number;
  prefix?: string;
}

function parseFilter(q: URLSearchParams): Filter | { error: string } {
  const f: Filter = {};
  const status = q.get("runtimeStatus");
  if (status) {
    f.statuses = [];
    for (const raw of status.split(",")) {
      const found = STATUSES.find((s) => s.toLowerCase() === raw.trim().toLowerCase());
      if (!found) return { error: `Unknown runtimeStatus '${raw}'; use one of ${STATUSES.join(", ")}.` };
      f.statuses.push(found);
    }
  }
  for (const [key, prop] of [
    ["createdTimeFrom", "from"],
    ["createdTimeTo", "to"],
  ] as const) {
    const v = q.get(key);
    if (v) {
      const t = Date.parse(v);
      if (Number.isNaN(t)) return { error: `${key} must be an ISO 8601 date-time.` };
      f[prop] = t;
    }
  }
  f.prefix = q.get("instanceIdPrefix") ?? undefined;
  return f;
}

function matchesFilter(s: { status: RuntimeStatus; createdTime: string; instanceId: string }, f: Filter): boolean {
  const created = Date.parse(s.createdTime);
  return (
    (!f.statuses || f.statuses.includes(s.status)) &&
    (f.from === undefined || created >= f.from) &&
    (f.to === undefined || created <= f.to) &&
    (!f.prefix || s.instanceId.startsWith(f.prefix))
  );
}

/** The status object the extension returns; `input` and `output` are always present (null when empty). */
export function statusBody(s: InstanceState, q: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: s.name,
    instanceId: s.instanceId,
    runtimeStatus: s.status,
    input: q.get("showInput") === "false" ? null : parseText(s.inputText),
    customStatus: s.customStatus ?? null,
    output: s.output ?? null,
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
  };
  if (q.get("showHistory") === "true") {
    const withOutput = q.get("showHistoryOutput") === "true";
    const events = s.history.filter(
      (e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted,
    );
    body.historyEvents = events.map((e) => friendlyEvent(e, withOutput));
    body.history = body.historyEvents;
  }
  return body;
}

function friendlyEvent(e: HistoryEvent, withOutput: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    EventType: EVENT_NAMES[e.EventType] ?? String(e.EventType),
    Timestamp: e.Timestamp,
  };
  if (e.Name !== undefined) out.FunctionName = e.Name;
  if (e.EventId >= 0) out.EventId = e.EventId;
  if (e.TaskScheduledId !== undefined) out.TaskScheduledId = e.TaskScheduledId;
  if (e.TimerId !== undefined) out.TimerId = e.TimerId;
  if (e.FireAt !== undefined) out.FireAt = e.FireAt;
  if (e.Reason !== undefined) out.Reason = e.Reason;
  if (e.InstanceId !== undefined) out.InstanceId = e.InstanceId;
  if (withOutput) {
    if (e.Input !== undefined) out.Input = parseText(e.Input ?? null);
    if (e.Result !== undefined) out.Result = parseText(e.Result);
  }
  return out;
}

function parseText(text: string | null): unknown {
  if (text === null || text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Body → JSON text (null for empty); undefined when it is not JSON. */
function jsonText(body: Buffer): string | null | undefined {
  const text = body.toString("utf8");
  if (text.trim() === "") return null;
  try {
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

function validInstanceId(id: string): boolean {
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 256 && !/[\u0000-\u001f\u007f]/.test(id) && !id.startsWith("@");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
