import type { IncomingMessage } from "node:http";

/** One parsed request as handlers see it. */
export interface SandboxRequest {
  method: string;
  /** Path with repeated slashes collapsed (ARM clients sometimes send `//subscriptions/...`). */
  path: string;
  url: URL;
  headers: IncomingMessage["headers"];
  /** Raw body text ("" when none). */
  body: string;
  raw: IncomingMessage;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
}

export type Handler = (req: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;
