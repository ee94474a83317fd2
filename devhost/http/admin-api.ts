import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registration } from "../core/registry";
import { parseJson, readBody, readBodyOrRefuse, sendError, sendFunctionFailed } from "./respond";

/** The admin API; the host checks the master key before these handlers run. */
export interface AdminDeps {
  bodyLimit: number;
  find(name: string): Registration | undefined;
  /** Undefined on a real clock: time then moves by itself. */
  advanceTime?: (ms: number) => Promise<void>;
  fireTimer(name: string): Promise<void>;
  invokeEventGrid(reg: Registration, event: unknown): Promise<void>;
}

/** POST /admin/devhost/advance-time {"ms": n}: moves a manual clock (child processes in tests). */
export async function handleAdvanceTime(deps: AdminDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "POST") return sendError(res, 405, "MethodNotAllowed", 'Use POST with {"ms": <milliseconds>}.');
  if (!deps.advanceTime)
    return sendError(res, 409, "RealClock", "Start devhost with a manual clock (--manual-clock) to move time.");
  // An oversized body reads as empty: it is then refused as not {"ms": n}.
  const parsed = parseJson(await readBody(req, 1024).catch(() => Buffer.from("")));
  const ms = parsed.ok ? (parsed.value as { ms?: unknown } | null)?.ms : undefined;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
    return sendError(res, 400, "InvalidBody", 'Send {"ms": <non-negative number>}.');
  await deps.advanceTime(ms);
  res.writeHead(204).end();
}

/** POST /admin/functions/<name> with {"input": "..."}: runs a non-HTTP function now, as the host's admin API. */
export async function handleInvokeFunction(
  deps: AdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  if (req.method !== "POST") return sendError(res, 405, "MethodNotAllowed", 'Use POST with a body {"input": "..."}.');
  const reg = deps.find(name);
  if (!reg) return sendError(res, 404, "FunctionNotFound", `No function named '${name}'.`);
  const body = await readBodyOrRefuse(req, res, deps.bodyLimit, 'send {"input": "..."} only.');
  if (!body) return;
  const input = adminInput(body);
  if (input instanceof Error) return sendError(res, 400, "InvalidBody", input.message);
  if (reg.kind === "timer") {
    await deps.fireTimer(reg.name);
  } else if (reg.kind === "eventGrid") {
    const event = parseJson(Buffer.from(input ?? ""));
    if (!event.ok || typeof event.value !== "object" || event.value === null) {
      return sendError(res, 400, "InvalidInput", 'For an Event Grid function, "input" is the event as JSON text.');
    }
    try {
      await deps.invokeEventGrid(reg, event.value);
    } catch (err) {
      return sendFunctionFailed(res, reg.name, err);
    }
  } else {
    return sendError(
      res,
      400,
      "NotInvocable",
      `${reg.name} is a ${reg.kind} function; the admin API runs timer and Event Grid functions.`,
    );
  }
  res.writeHead(202).end();
}

/** The optional `input` string of an admin body (an empty body counts as {}); an Error says what is wrong. */
function adminInput(body: Buffer): string | undefined | Error {
  const parsed = body.length === 0 ? { ok: true as const, value: {} } : parseJson(body);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
    return new Error('Send a JSON object such as {"input": ""}.');
  }
  const input = (parsed.value as { input?: unknown }).input;
  if (input !== undefined && typeof input !== "string") return new Error('"input" must be a string.');
  return input;
}
