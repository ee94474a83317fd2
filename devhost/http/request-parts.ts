import type { IncomingMessage } from "node:http";

/** Percent-decodes a path segment; a malformed escape stays as sent, so hostile paths reach a 4xx, not a throw. */
export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The first value of a request header (Node gives arrays for repeated ones). */
export function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
