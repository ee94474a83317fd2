import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registration } from "../core/registry";
import type { RpcHttpCookie, RpcHttpData, RpcInvocationResponse } from "../core/rpc-types";
import { authorised, keyAdvice, type HostKeys } from "./auth";
import { readBodyOrRefuse, sendError, sendFunctionFailed } from "./respond";

/** What the HTTP trigger routes need from the host; fixed once the app is loaded. */
export interface HttpTriggers {
  /** The app's HTTP-triggered registrations. */
  regs: Registration[];
  /** authLevel function routes take the function key, admin routes the master key (the master key passes both). */
  keys: HostKeys;
  bodyLimit: number;
  invoke(reg: Registration, request: RpcHttpData): Promise<RpcInvocationResponse>;
}

/** Serves `/<routePrefix>/...` from the registered HTTP triggers; `routePath` is what follows the prefix. */
export async function handleHttpTrigger(
  triggers: HttpTriggers,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  routePath: string,
): Promise<void> {
  const { regs, keys, bodyLimit } = triggers;
  const method = (req.method ?? "GET").toUpperCase();
  let matched: { reg: Registration; params: Record<string, string> } | undefined;
  const allowed = new Set<string>();
  for (const reg of regs) {
    const params = reg.http!.route.match(routePath);
    if (!params) continue;
    reg.http!.methods.forEach((m) => allowed.add(m));
    if (reg.http!.methods.includes(method)) {
      matched = { reg, params };
      break;
    }
  }
  if (!matched) {
    if (allowed.size > 0) {
      return sendError(res, 405, "MethodNotAllowed", `This route accepts ${[...allowed].join(", ")}.`, {
        allow: [...allowed].join(", "),
      });
    }
    return sendError(
      res,
      404,
      "RouteNotFound",
      `No function serves ${method} ${url.pathname}; the start-up log lists the routes.`,
    );
  }
  const { reg, params } = matched;
  const level = reg.http!.authLevel;
  if (level !== "anonymous") {
    const scope = level === "admin" ? "admin" : "function";
    if (!authorised(req, url, keys, scope)) return sendError(res, 401, "Unauthorized", keyAdvice(scope));
  }
  const body = await readBodyOrRefuse(req, res, bodyLimit, "send less.");
  if (!body) return;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  // No `query` field: the package then reads the URL's own search params, keeping repeated keys.
  const request: RpcHttpData = { method, url: url.href, headers, params, body: { bytes: body } };
  let response: RpcInvocationResponse;
  try {
    response = await triggers.invoke(reg, request);
  } catch (err) {
    return sendFunctionFailed(res, reg.name, err);
  }
  writeHttpResult(res, response);
}

function writeHttpResult(res: ServerResponse, response: RpcInvocationResponse): void {
  const http = response.returnValue?.http;
  if (!http) {
    res.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? "200");
  const headers: Record<string, string | string[]> = { ...(http.headers ?? {}) };
  const cookies = (http.cookies ?? []).map(cookieHeader);
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  const bytes = http.body?.bytes ?? (typeof http.body?.string === "string" ? Buffer.from(http.body.string) : undefined);
  res.writeHead(Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500, headers);
  res.end(bytes ? Buffer.from(bytes) : undefined);
}

function cookieHeader(c: RpcHttpCookie): string {
  let s = `${c.name ?? ""}=${c.value ?? ""}`;
  if (c.domain?.value) s += `; Domain=${c.domain.value}`;
  if (c.path?.value) s += `; Path=${c.path.value}`;
  if (c.expires?.value?.seconds !== undefined && c.expires.value.seconds !== null) {
    s += `; Expires=${new Date(Number(c.expires.value.seconds) * 1000).toUTCString()}`;
  }
  if (c.maxAge?.value !== undefined && c.maxAge.value !== null) s += `; Max-Age=${c.maxAge.value}`;
  if (c.secure?.value) s += "; Secure";
  if (c.httpOnly?.value) s += "; HttpOnly";
  if (c.sameSite === "lax" || c.sameSite === "strict") s += `; SameSite=${c.sameSite === "lax" ? "Lax" : "Strict"}`;
  else if (c.sameSite === "explicitNone") s += "; SameSite=None";
  return s;
}
