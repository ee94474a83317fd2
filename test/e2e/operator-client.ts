/** Calls the running app as a person (session cookie) or as automation (function key), recording every answer. */
import type { SeenResponse } from "../support/openapi-check";

export interface CallOptions {
  cookie?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** `seen` collects every answer, so a test can check them all against the OpenAPI document. */
export function operatorClient(devhostUrl: string, seen: SeenResponse[]) {
  return async (method: string, route: string, options: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.key) headers["x-functions-key"] = options.key;
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    const res = await fetch(`${devhostUrl}/api${route}`, {
      method,
      headers,
      redirect: "manual",
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
    });
    const text = await res.text();
    const contentType = res.headers.get("content-type") ?? "";
    const body: unknown = contentType.includes("json") && text ? JSON.parse(text) : text;
    seen.push({ method, path: route.split("?")[0]!, status: res.status, contentType, body });
    return { status: res.status, headers: res.headers, text, body };
  };
}
