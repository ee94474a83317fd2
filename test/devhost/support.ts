import path from "node:path";
import { startDevhost, type Devhost, type DevhostOptions, type HostKeys } from "../../devhost";

export const SAMPLE_APP = path.join(__dirname, "sample-app");
export const SAMPLE_SETTINGS = { SAMPLE_HUB: "SampleHub", TICK_SCHEDULE: "*/10 * * * * *" };
/** 2026-01-01T00:00:00Z: tests run on a manual clock. */
export const T0 = Date.UTC(2026, 0, 1);

/** The sample app in-process on a free port with the sample settings and a silent log; tests add what matters. */
export function startSampleHost(options: Partial<DevhostOptions> = {}): Promise<Devhost> {
  return startDevhost({ appRoot: SAMPLE_APP, port: 0, settings: SAMPLE_SETTINGS, log: () => {}, ...options });
}

/** Parsed JSON replies: tests assert their shape, so the static type stays loose on purpose. */
export type Loose = any;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Loose;
}

export async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Reply> {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
    headers: { ...(json !== undefined ? { "content-type": "application/json" } : {}), ...(rest.headers ?? {}) },
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: parsed };
}

export { until } from "../support/until";

/** A host (in-process or child) whose durable API a test calls. */
export interface DurableCaller {
  url: string;
  keys: HostKeys;
}

/** Calls the durable task API (`/durabletask/<path>`) with the durabletask_extension system key. */
export function durable(
  host: DurableCaller,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Reply> {
  return call(`${host.url}/durabletask/${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), "x-functions-key": host.keys.durableTask },
  });
}
