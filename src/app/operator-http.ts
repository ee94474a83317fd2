/** Request plumbing the operator routes share: one request shape the Functions HttpRequest satisfies, and bodies. */
import { apiError, type ApiResponse } from "./http-api";
import type { HeaderReader } from "./principal";

/** The parts of an HTTP request the operator routes read (the Functions HttpRequest has them all). */
export interface ApiRequest {
  url: string;
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  headers: HeaderReader;
  text(): Promise<string>;
}

export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; response: ApiResponse };

/** A JSON object body of at most `maxBytes`; anything else is a coded 4xx that says what to send (`hint`). */
export async function readJsonObject(request: ApiRequest, maxBytes: number, hint: string): Promise<BodyResult> {
  const tooLarge = (): BodyResult => ({
    ok: false,
    response: apiError(413, "BODY_TOO_LARGE", `Send at most ${maxBytes} bytes of JSON: ${hint}`),
  });
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) return tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > maxBytes) return tooLarge();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, response: apiError(400, "BODY_INVALID", `The body is not JSON: ${hint}`) };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, response: apiError(400, "BODY_INVALID", `Send a JSON object: ${hint}`) };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
