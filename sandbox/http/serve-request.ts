import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { ArmError, errorResponse } from "./arm-error";
import { readBody } from "./body-reader";
import type { SandboxRequest, SandboxResponse } from "./http-types";

export type Route = (req: SandboxRequest) => Promise<SandboxResponse | "hang">;

/** Turns one Node request into a SandboxRequest, routes it, and writes the answer; never throws. */
export async function serve(
  raw: IncomingMessage,
  res: ServerResponse,
  route: Route,
  log: (line: string) => void,
): Promise<void> {
  let response: SandboxResponse | "hang";
  try {
    // Collapse repeated slashes before URL parsing: `//subscriptions/...` (sent by the generic resources client
    // for ids with a leading slash) would otherwise parse as a host name.
    const target = (raw.url ?? "/").replace(/^[^?]*/, (p) => p.replace(/\/{2,}/g, "/"));
    const url = new URL(target, "https://127.0.0.1");
    const req: SandboxRequest = {
      method: raw.method ?? "GET",
      path: url.pathname,
      url,
      headers: raw.headers,
      body: await readBody(raw),
      raw,
    };
    response = await route(req);
  } catch (err) {
    if (err instanceof ArmError) response = errorResponse(err);
    else {
      log(`sandbox: unexpected error ${(err as Error).stack ?? String(err)}`);
      response = errorResponse(
        new ArmError(500, "InternalServerError", "The sandbox failed on this request; see its log."),
      );
    }
  }
  if (response === "hang") return; // answered by nobody: the client's timeout or stop() ends it
  const headers: Record<string, string> = { "x-ms-request-id": randomBytes(16).toString("hex"), ...response.headers };
  let payload = "";
  if (response.text !== undefined) {
    payload = response.text;
    headers["content-type"] = response.contentType ?? "text/plain; charset=utf-8";
  } else if (response.json !== undefined) {
    payload = JSON.stringify(response.json);
    headers["content-type"] = "application/json; charset=utf-8";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function listen(server: Server | HttpsServer, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

export function close(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Hung (fault-injected) and keep-alive requests would hold close() open forever.
    server.closeAllConnections();
  });
}
