import type { IncomingMessage, ServerResponse } from "node:http";
import { firstHeader } from "../http/request-parts";
import { sendError, sendJson } from "../http/respond";
import type { DurableEngine } from "./engine";
import { isTerminal, RUNTIME_STATUSES, type InstanceFilter, type RuntimeStatus } from "./instance-state";
import { statusBody } from "./status-view";

const DEFAULT_PAGE = 100;
const STATE_READS = 16;

/** GET instances: filtered, oldest first, paged with an opaque x-ms-continuation-token. */
export async function listInstances(
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
  const token = firstHeader(req, "x-ms-continuation-token");
  const offset = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    return sendError(res, 400, "InvalidContinuationToken", "Send back the x-ms-continuation-token you received.");
  const matches = (await engine.list(filter))
    .filter((s) => matchesFilter(s, filter))
    .sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId));
  const page = matches.slice(offset, offset + top);
  // The page's states are point reads: STATE_READS at a time, not one after another (the page keeps its order).
  const bodies = [];
  for (let i = 0; i < page.length; i += STATE_READS) {
    const states = await Promise.all(page.slice(i, i + STATE_READS).map((s) => engine.getState(s.instanceId)));
    for (const state of states) if (state) bodies.push(statusBody(state, q));
  }
  const headers: Record<string, string> = {};
  if (offset + top < matches.length)
    headers["x-ms-continuation-token"] = Buffer.from(String(offset + top)).toString("base64url");
  sendJson(res, 200, bodies, headers);
}

/** DELETE instances: purges every finished instance the filter matches. */
export async function purgeBy(engine: DurableEngine, res: ServerResponse, url: URL): Promise<void> {
  const filter = parseFilter(url.searchParams);
  if ("error" in filter) return sendError(res, 400, "InvalidQuery", filter.error);
  let deleted = 0;
  for (const s of await engine.list(filter)) {
    if (isTerminal(s.status) && matchesFilter(s, filter) && (await engine.purge(s.instanceId)) === "ok") deleted++;
  }
  if (deleted === 0) return sendError(res, 404, "NothingToPurge", "No finished instance matched the filter.");
  sendJson(res, 200, { instancesDeleted: deleted });
}

function parseFilter(q: URLSearchParams): InstanceFilter | { error: string } {
  const f: InstanceFilter = {};
  const status = q.get("runtimeStatus");
  if (status) {
    f.statuses = [];
    for (const raw of status.split(",")) {
      const found = RUNTIME_STATUSES.find((s) => s.toLowerCase() === raw.trim().toLowerCase());
      if (!found) return { error: `Unknown runtimeStatus '${raw}'; use one of ${RUNTIME_STATUSES.join(", ")}.` };
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

function matchesFilter(
  s: { status: RuntimeStatus; createdTime: string; instanceId: string },
  f: InstanceFilter,
): boolean {
  const created = Date.parse(s.createdTime);
  return (
    (!f.statuses || f.statuses.includes(s.status)) &&
    (f.from === undefined || created >= f.from) &&
    (f.to === undefined || created <= f.to) &&
    (!f.prefix || s.instanceId.startsWith(f.prefix))
  );
}
