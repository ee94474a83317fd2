import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { firstHeader } from "./request-parts";

/**
 * The keys the real Functions host keeps: a host key for function routes, the master key (admin API, and accepted
 * wherever any key is), and one system key per extension webhook, each accepted only by its own extension.
 */
export interface HostKeys {
  /** The default host key: every `authLevel: "function"` route accepts it. */
  function: string;
  /** `_master`: the admin API and `authLevel: "admin"` routes; also accepted by function routes and webhooks. */
  master: string;
  /** `durabletask_extension`: the Durable extension's HTTP API (the durable client binding carries it). */
  durableTask: string;
  /** `eventgrid_extension`: `/runtime/webhooks/eventgrid` (the Event Grid subscription URL carries it). */
  eventGrid: string;
}

/** What a request needs to present; the master key always passes, as on the real host. */
export type KeyScope = "function" | "admin" | "durableTask" | "eventGrid";

export function generateKeys(given: Partial<HostKeys> = {}): HostKeys {
  const fresh = (): string => randomBytes(24).toString("base64url");
  return {
    function: given.function ?? fresh(),
    master: given.master ?? fresh(),
    durableTask: given.durableTask ?? fresh(),
    eventGrid: given.eventGrid ?? fresh(),
  };
}

/** The key a request presents: `x-functions-key`, `?code=`, or HTTP Basic credentials (the password). */
export function presentedKey(req: IncomingMessage, url: URL): string {
  const header = firstHeader(req, "x-functions-key") ?? url.searchParams.get("code");
  if (header) return header;
  // The durable client's rpc base URL carries the system key as URL credentials; its HTTP client sends them as Basic.
  const auth = firstHeader(req, "authorization") ?? "";
  if (!/^basic /i.test(auth)) return "";
  const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? "" : decoded.slice(colon + 1);
}

/** True when the request presents the key `scope` needs, or the master key. Constant-time comparisons. */
export function authorised(req: IncomingMessage, url: URL, keys: HostKeys, scope: KeyScope): boolean {
  const given = presentedKey(req, url);
  if (given === "") return false;
  const accepted = scope === "admin" ? [keys.master] : [keys[scope], keys.master];
  // Compare against every accepted key, so timing does not tell which one matched.
  return accepted.map((k) => sameKey(given, k)).some(Boolean);
}

function sameKey(given: string, key: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The sentence a 401 carries: which key, never its value. */
export function keyAdvice(scope: KeyScope): string {
  switch (scope) {
    case "function":
      return "This function needs a key: send the function key (or the master key) as the x-functions-key header or ?code=.";
    case "admin":
      return "The admin API needs the master key as the x-functions-key header or ?code=.";
    case "durableTask":
      return "The durable task API needs the durabletask_extension system key (or the master key) as ?code= or x-functions-key.";
    case "eventGrid":
      return "Event Grid deliveries need the eventgrid_extension system key: add ?code=<key> to the subscription URL.";
  }
}
