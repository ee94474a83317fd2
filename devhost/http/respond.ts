import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, withoutStack } from "./request-parts";

/** Every refusal is JSON with a stable code and a sentence that says what to do. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

export class BodyTooLargeError extends Error {}

/** Reads the body, refusing (without buffering the rest) once it passes the limit. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the body for a handler; over the limit it answers 413 (with `advice` on what to send instead) and returns
 * undefined, so the handler just returns.
 */
export async function readBodyOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  advice: string,
): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limit);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    sendError(res, 413, "PayloadTooLarge", `The request body is over ${limit} bytes; ${advice}`);
    return undefined;
  }
}

/** 500 for a function that threw: the host stays up and the caller learns which function failed and why. */
export function sendFunctionFailed(res: ServerResponse, functionName: string, err: unknown): void {
  sendError(res, 500, "FunctionFailed", `Function ${functionName} failed: ${withoutStack(errorMessage(err))}`);
}

/** Deeper than any real event or input; deeper JSON is refused before anything walks it recursively. */
export const MAX_JSON_DEPTH = 64;

export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = body.toString("utf8");
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { ok: false, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

/** The deepest bracket nesting of JSON text, in one pass without recursion (brackets inside strings don't count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
