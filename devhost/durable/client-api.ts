import type { IncomingMessage, ServerResponse } from "node:http";
import { safeDecode } from "../http/request-parts";
import { MAX_JSON_DEPTH, parseJson, readBodyOrRefuse, sendError, sendJson } from "../http/respond";
import type { ControlResult, DurableEngine } from "./engine";
import { isTerminal } from "./instance-state";
import { listInstances, purgeBy } from "./instance-query";
import { statusBody } from "./status-view";

export interface ClientUrls {
  /** e.g. http://127.0.0.1:7071 */
  origin: string;
  hubName: string;
  /** The durabletask_extension system key. */
  key: string;
}

/**
 * The durableClient binding value the host hands to a function: where the SDK's DurableClient sends its calls. As on
 * the real host, the URLs carry the durabletask_extension system key. The rpc base URL carries it as URL credentials:
 * the SDK resolves rpc paths against it (dropping any query) and its HTTP client sends them as Basic auth.
 */
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
    rpcBaseUrl: withCredentials(`${u.origin}/durabletask/`, u.key),
    httpBaseUrl: "",
  };
}

function withCredentials(base: string, key: string): string {
  const url = new URL(base);
  url.username = "durabletask_extension";
  url.password = key;
  return url.href;
}

/** The start answer's management URLs, without the key: an answer never echoes a key (callers hold their own). */
function managementPayload(u: ClientUrls, instanceId: string): Record<string, string> {
  const urls = durableClientJson(u).managementUrls as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(urls)) {
    out[k] = v.replace("INSTANCEID", encodeURIComponent(instanceId)).replace(`&code=${u.key}`, "");
  }
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
  const body = await readBodyOrRefuse(req, res, bodyLimit, "send a smaller input.");
  if (!body) return;
  const [head, id, action, eventName] = parts;

  if (head === "orchestrators" && method === "POST" && id && parts.length <= 3) {
    return startInstance(engine, urls, res, id, parts[2], body);
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
    if (method === "GET") return instanceStatus(engine, res, id, url.searchParams);
    if (method === "DELETE") return purgeOne(engine, res, id);
    return sendError(res, 405, "MethodNotAllowed", "Use GET for status or DELETE to purge.");
  }
  if (method !== "POST") return sendError(res, 405, "MethodNotAllowed", `Use POST for '${action}'.`);
  return instanceOperation(engine, res, id, action, eventName, body, url.searchParams.get("reason"));
}

/** POST orchestrators/{name}[/{instanceId}]: 202 with the management URLs, as the extension answers. */
async function startInstance(
  engine: DurableEngine,
  urls: ClientUrls,
  res: ServerResponse,
  name: string,
  instanceId: string | undefined,
  body: Buffer,
): Promise<void> {
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
    return sendError(
      res,
      400,
      "InvalidInput",
      `The orchestration input must be JSON nested at most ${MAX_JSON_DEPTH} levels (or an empty body for none).`,
    );
  const started = await engine.start(name, instanceId, input);
  if (started.kind === "unknownOrchestrator") {
    return sendError(
      res,
      400,
      "UnknownOrchestrator",
      `The function '${name}' doesn't exist or is not an orchestrator function; check the name.`,
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

/** GET instances/{id}: 200 once finished, 202 while it runs (the SDK's waitForCompletion polls on that). */
async function instanceStatus(
  engine: DurableEngine,
  res: ServerResponse,
  id: string,
  q: URLSearchParams,
): Promise<void> {
  const state = await engine.getState(id);
  if (!state) return sendError(res, 404, "InstanceNotFound", `No instance with id '${id}'.`);
  return sendJson(res, isTerminal(state.status) ? 200 : 202, statusBody(state, q));
}

async function purgeOne(engine: DurableEngine, res: ServerResponse, id: string): Promise<void> {
  const r = await engine.purge(id);
  if (r === "notFound") return sendError(res, 404, "InstanceNotFound", `No instance with id '${id}'.`);
  if (r === "running")
    return sendError(res, 409, "InstanceRunning", `Instance '${id}' is still running; terminate it before purging.`);
  return sendJson(res, 200, { instancesDeleted: 1 });
}

/** POST instances/{id}/{raiseEvent/{name}|terminate|suspend|resume}: 202 once recorded. */
async function instanceOperation(
  engine: DurableEngine,
  res: ServerResponse,
  id: string,
  action: string,
  eventName: string | undefined,
  body: Buffer,
  reason: string | null,
): Promise<void> {
  let result: ControlResult;
  switch (action) {
    case "raiseEvent": {
      if (!eventName)
        return sendError(res, 400, "MissingEventName", "Name the event: instances/{id}/raiseEvent/{eventName}.");
      const input = jsonText(body);
      if (input === undefined)
        return sendError(
          res,
          400,
          "InvalidInput",
          `The event data must be JSON nested at most ${MAX_JSON_DEPTH} levels.`,
        );
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
      // A 4xx, not 501: the host is fine, the caller asked for something this host does not offer.
      return sendError(
        res,
        400,
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

/** Body → JSON text (null for empty); undefined when it is not JSON. */
function jsonText(body: Buffer): string | null | undefined {
  const text = body.toString("utf8");
  if (text.trim() === "") return null;
  return parseJson(body).ok ? text : undefined;
}

function validInstanceId(id: string): boolean {
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 256 && !/[\u0000-\u001f\u007f]/.test(id) && !id.startsWith("@");
}
