import { createHash } from "node:crypto";
import { parseJsonObject } from "../http/body-reader";
import { ArmError, methodNotAllowed } from "../http/arm-error";
import type { SandboxRequest, SandboxResponse } from "../http/http-types";
import type { ProviderResource } from "../estate/estate-records";
import type { ArmContext } from "./arm-context";
import { paasResourceView, privateLinkServiceView } from "./arm-views";
import { evaluate, parseQuery, QueryError, type Row } from "./resource-graph-query";
import { vendoredApiVersions } from "./spec-versions";

export const RESOURCE_GRAPH_API_VERSIONS = vendoredApiVersions(
  "resourcegraph/resource-manager/Microsoft.ResourceGraph",
);

/** Resource Graph's default page size, and its largest ($top at most 1000, says the spec). */
const DEFAULT_TOP = 100;
const MAX_TOP = 1000;
/** Resource Graph's documented per-user quota: 15 queries per 5-second window. */
const QUOTA = 15;
const WINDOW_MS = 5_000;

export function isResourceGraphPath(path: string): boolean {
  return /^\/providers\/microsoft\.resourcegraph\/resources\/?$/i.test(path);
}

/** What Resource Graph keeps per caller: its quota window. */
export class ResourceGraphQuota {
  private readonly windows = new Map<string, { start: number; used: number }>();

  /** Spends one query; returns the throttling headers Resource Graph sends, or throws its 429. */
  spend(caller: string, now: number): Record<string, string> {
    let w = this.windows.get(caller);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, used: 0 };
      this.windows.set(caller, w);
    }
    const resetsAfter = `00:00:${String(Math.ceil((w.start + WINDOW_MS - now) / 1000)).padStart(2, "0")}`;
    if (w.used >= QUOTA) {
      throw new ArmError(
        429,
        "RateLimiting",
        "Please provide below info when asking for support: the request was throttled; wait for the quota to reset.",
        { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": resetsAfter },
      );
    }
    w.used += 1;
    return { "x-ms-user-quota-remaining": String(QUOTA - w.used), "x-ms-user-quota-resets-after": resetsAfter };
  }
}

/**
 * POST /providers/Microsoft.ResourceGraph/resources: the query is evaluated over the `resources` table of the
 * requested subscriptions (each provider resource as ARM shows it, type in lower case as Resource Graph has it),
 * paged with $top/$skip/$skipToken. A query the subset does not cover is refused as Resource Graph refuses it.
 */
export function resourceGraphQuery(
  ctx: ArmContext,
  req: SandboxRequest,
  quota: Record<string, string>,
): SandboxResponse {
  if (req.method !== "POST") throw methodNotAllowed(req.method);
  const body = parseJsonObject(req.body) as {
    subscriptions?: unknown;
    query?: unknown;
    options?: { $top?: unknown; $skip?: unknown; $skipToken?: unknown; resultFormat?: unknown };
  };
  if (typeof body.query !== "string") throw invalidQuery("The request body needs a query (string).");
  if (body.options?.resultFormat !== undefined && body.options.resultFormat !== "objectArray") {
    throw invalidQuery("The sandbox answers resultFormat objectArray only.");
  }
  let parsed;
  try {
    parsed = parseQuery(body.query);
  } catch (err) {
    if (err instanceof QueryError) throw parserFailure(err);
    throw err;
  }
  if (parsed.table.toLowerCase() !== "resources") {
    throw parserFailure(new QueryError(`Table '${parsed.table}' is not served.`, parsed.table, 0));
  }
  const subscriptions = Array.isArray(body.subscriptions)
    ? new Set(body.subscriptions.map((s) => String(s).toLowerCase()))
    : undefined;
  const table = [...ctx.store.providers.values()]
    .filter((r) => !subscriptions || subscriptions.has(r.subscriptionId.toLowerCase()))
    .sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()))
    .map((r) => rowOf(ctx, r));
  const rows = evaluate(parsed, table);
  const { skip, top } = pageOf(body.options, body.query);
  const data = rows.slice(skip, skip + top);
  const next = skip + data.length < rows.length ? skipToken(skip + data.length, top, body.query) : undefined;
  return {
    status: 200,
    headers: quota,
    json: {
      totalRecords: rows.length,
      count: data.length,
      resultTruncated: "false",
      ...(next ? { $skipToken: next } : {}),
      data,
      facets: [],
    },
  };
}

function rowOf(ctx: ArmContext, r: ProviderResource): Row {
  const connections = ctx.store.connectionsOf(r.id);
  const view = r.pls ? privateLinkServiceView(r, connections) : paasResourceView(r, connections);
  return {
    ...view,
    type: String(view.type).toLowerCase(),
    subscriptionId: r.subscriptionId,
    resourceGroup: r.resourceGroup.toLowerCase(),
  };
}

/** The token carries the next offset, the page size and which query it belongs to (another query cannot use it). */
function skipToken(skip: number, top: number, query: string): string {
  return Buffer.from(JSON.stringify({ skip, top, q: fingerprint(query) })).toString("base64");
}

function pageOf(options: { $top?: unknown; $skip?: unknown; $skipToken?: unknown } | undefined, query: string) {
  const top = options?.$top === undefined ? DEFAULT_TOP : Number(options.$top);
  const skip = options?.$skip === undefined ? 0 : Number(options.$skip);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) throw invalidQuery("$top must be between 1 and 1000.");
  if (!Number.isInteger(skip) || skip < 0) throw invalidQuery("$skip must be 0 or more.");
  if (typeof options?.$skipToken !== "string") return { skip, top };
  let token: { skip?: unknown; top?: unknown; q?: unknown };
  try {
    token = JSON.parse(Buffer.from(options.$skipToken, "base64").toString("utf8")) as typeof token;
  } catch {
    throw invalidQuery("The $skipToken is not one this service issued.");
  }
  if (token.q !== fingerprint(query) || typeof token.skip !== "number" || typeof token.top !== "number") {
    throw invalidQuery("The $skipToken belongs to another query; send the same query and scopes with it.");
  }
  // $top overrides the token's page size when both are given (the spec).
  return { skip: token.skip, top: options.$top === undefined ? token.top : top };
}

function fingerprint(query: string): string {
  return createHash("sha256").update(query).digest("hex").slice(0, 16);
}

function invalidQuery(message: string): ArmError {
  return new ArmError(400, "BadRequest", message);
}

/** Resource Graph's parser failure: BadRequest with InvalidQuery and ParserFailure details naming the token. */
function parserFailure(err: QueryError): ArmError {
  return new ArmError(400, "BadRequest", `Please provide below info when asking for support: ${err.message}`, {}, [
    {
      code: "InvalidQuery",
      message:
        "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.",
    },
    {
      code: "ParserFailure",
      message: "ParserFailure",
      line: 1,
      characterPositionInLine: err.position,
      token: err.token,
    },
  ]);
}
