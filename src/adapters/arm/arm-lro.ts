import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { PermanentCodes, PermanentError, TransientError } from "../../ports/errors";
import { toPortError } from "./arm-errors";

/** Any SDK client: we borrow its pipeline (token, retries, TLS options) to send our own requests. */
export interface PipelineSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

export interface PutAndPollInput {
  url: string;
  body: unknown;
  pollIntervalMs: number;
  timeoutMs: number;
}

/** Loaded on first use, like every SDK, so registration stays light. */
function pipeline(): typeof import("@azure/core-rest-pipeline") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
}

/**
 * PUT, then follow Azure-AsyncOperation (or Location) until the operation ends. Unlike the SDK poller it does not
 * GET the resource afterwards: a succeeded operation means ARM applied exactly what we sent. Returns the body of a
 * synchronous (200/201) answer, or undefined after a long-running one. Failures are port errors.
 */
export async function putAndPoll(client: PipelineSender, input: PutAndPollInput): Promise<unknown> {
  const { createPipelineRequest, createHttpHeaders } = pipeline();
  const deadline = Date.now() + input.timeoutMs;
  const send = async (method: "PUT" | "GET", url: string, body?: unknown): Promise<PipelineResponse> => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new TransientError("ARM_TIMEOUT", `ARM did not finish ${input.url} in time.`);
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders(body === undefined ? {} : { "content-type": "application/json" }),
      abortSignal: AbortSignal.timeout(remaining),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await client.sendRequest(request).catch((error: unknown) => {
      throw toPortError(error, `${method} ${pathOf(url)}`);
    });
    if (response.status >= 400) throw toPortError(restError(response), `${method} ${pathOf(url)}`);
    return response;
  };

  const put = await send("PUT", input.url, input.body);
  if (put.status !== 202) return parse(put.bodyAsText);
  const asyncOperation = put.headers.get("azure-asyncoperation");
  const pollUrl = asyncOperation ?? put.headers.get("location");
  if (!pollUrl) return undefined;
  // Our token goes only to the ARM endpoint we were configured with.
  if (new URL(pollUrl).origin !== new URL(input.url).origin) {
    throw new PermanentError(PermanentCodes.badRequest, `ARM named a poll URL on another host (${pollUrl}).`);
  }
  // Like the SDK poller: the first look at once (unless ARM asks to wait), then every interval.
  let wait = retryAfter(put) ?? 0;
  for (;;) {
    await delay(Math.min(wait, Math.max(0, deadline - Date.now())));
    const poll = await send("GET", pollUrl);
    if (asyncOperation) {
      const reported = (parse(poll.bodyAsText) as { status?: unknown } | undefined)?.status;
      const status = typeof reported === "string" ? reported : "";
      if (/^succeeded$/i.test(status)) return undefined;
      if (/^(failed|canceled|cancelled)$/i.test(status)) {
        throw new TransientError(
          "ARM_OPERATION_FAILED",
          `ARM reports the operation on ${pathOf(input.url)} ${status}.`,
        );
      }
    } else if (poll.status !== 202) {
      return undefined;
    }
    wait = retryAfter(poll) ?? input.pollIntervalMs;
  }
}

function parse(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The shape toPortError understands: status, ARM's error code and message, the headers (Retry-After). */
function restError(response: PipelineResponse) {
  const body = parse(response.bodyAsText) as { error?: { code?: string; message?: string } } | undefined;
  return {
    statusCode: response.status,
    ...(body?.error?.code ? { code: body.error.code } : {}),
    message: body?.error?.message ?? `HTTP ${response.status}`,
    response: { headers: { get: (name: string) => response.headers.get(name) } },
  };
}

function retryAfter(response: PipelineResponse): number | undefined {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 60_000) : undefined;
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
