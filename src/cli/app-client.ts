/**
 * Calls a running app for the operator commands. Where and as whom: --url / AUTOPILOT_URL, and one credential —
 * --token / AUTOPILOT_TOKEN (an Entra access token for the app, sent as a bearer token; App Service authentication
 * turns it into the principal), --cookie / AUTOPILOT_COOKIE (a local devhost session), or --key / AUTOPILOT_KEY (a
 * function key, for the automation routes).
 */
import { encodeKey } from "../domain/arm-id";
import { DomainError } from "../domain/errors";
import type { ParsedArgs } from "./args";
import type { CliIo } from "./cli-io";

export const APP_OPTIONS = ["url", "token", "cookie", "key"] as const;

/** An ARM id is turned into its key; a key (what the API and the console show) is used as given. */
export function connectionKey(connection: string): string {
  return connection.startsWith("/") ? encodeKey(connection) : connection;
}
const DEFAULT_URL = "http://127.0.0.1:7071";

export interface AppAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface AppClient {
  call(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<AppAnswer>;
}

export function appClient(args: ParsedArgs, io: CliIo): AppClient {
  const pick = (name: (typeof APP_OPTIONS)[number]) =>
    args.options.get(name) ?? io.env?.[`AUTOPILOT_${name.toUpperCase()}`];
  const base = (pick("url") ?? DEFAULT_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+/.test(base)) {
    throw new DomainError(
      "URL_INVALID",
      `"${base}" is not an http(s) URL; pass --url https://<app>.azurewebsites.net.`,
    );
  }
  const credential: Record<string, string> = {};
  const token = pick("token");
  const cookie = pick("cookie");
  const key = pick("key");
  if (token) credential.authorization = `Bearer ${token}`;
  if (cookie) credential.cookie = cookie;
  if (key) credential["x-functions-key"] = key;
  return {
    async call(method, route, body, headers = {}) {
      let response: Response;
      try {
        response = await fetch(`${base}/api${route}`, {
          method,
          headers: { ...credential, ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          redirect: "manual",
        });
      } catch (error) {
        throw new DomainError(
          "APP_UNREACHABLE",
          `${base} did not answer (${(error as Error).message}); check --url or AUTOPILOT_URL and that the app runs.`,
        );
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text for the error */
      }
      if (response.status >= 400) throw refusal(response.status, parsed);
      return { status: response.status, headers: response.headers, body: parsed };
    },
  };
}

/** The app's coded error as the CLI's one line; a bare status (a host that refused before the app) gets a hint. */
function refusal(status: number, body: unknown): DomainError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    return new DomainError(error.code, `${error.message} (HTTP ${status})`);
  }
  const hint =
    status === 401 || status === 403
      ? "sign in: pass --token (Entra access token), --cookie (local session) or --key (function key)"
      : "see the app's log";
  return new DomainError(`HTTP_${status}`, `The app answered ${status}; ${hint}.`);
}
