import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { PermanentCodes, PermanentError, TransientError } from "../../ports/errors";
import { toPortError } from "./arm-errors";

/** Any SDK client: we borrow its pipeline (token, retries, TLS options) to send our own requests. */
export interface PipelineSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

export interface PollInput {
  url: string;
  pollIntervalMs: number;
  timeoutMs: number;
}

export interface PutAndPollInput extends PollInput {
  body: unknown;
}

/** Loaded on first use, like every SDK, so registration stays light. */
function pipeline(): typeof import("@azure/core-rest-pipeline") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
}

type Send = (method: "PUT" | "GET" | "DELETE", url: string, body?: unknown) => Promise<PipelineResponse>;

/** Sends within the input's deadline; a 4xx/5xx becomes a port error, except the statuses `passing` names. */
function sender(client: PipelineSender, input: PollInput, passing: readonly number[] = []): Send {
  const { createPipelineRequest, createHttpHeaders } = pipeline();
  const deadline = Date.now() + input.timeoutMs;
  return async (method, url, body) => {
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
    if (response.status >= 400 && !passing.includes(response.status)) {
      throw toPortError(restError(response), `${method} ${pathOf(url)}`);
    }
    return response;
  };
}

/**
 * PUT, then follow Azure-AsyncOperation (or Location) until the operation ends. Unlike the SDK poller it does not
 * GET the resource afterwards: a succeeded operation means ARM applied exactly what we sent. Returns the body of the
 * PUT's answer when it had one (Key Vault answers 200 with a body and Azure-AsyncOperation), else undefined.
 * Failures are port errors.
 */
export async function putAndPoll(client: PipelineSender, input: PutAndPollInput): Promise<unknown> {
  const send = sender(client, input);
  const put = await send("PUT", input.url, input.body);
  await pollUntilDone(send, input, put);
  return parse(put.bodyAsText);
}

/**
 * DELETE and wait until the resource is gone. 200/204/404 end at once; a 202 is followed through
 * Azure-AsyncOperation or Location (PostgreSQL, SQL). A poll URL on another host (Key Vault names one) is never sent
 * our token: then the resource itself is read until ARM answers 404 or 204.
 */
export async function deleteAndPoll(client: PipelineSender, input: PollInput): Promise<void> {
  const send = sender(client, input, [404]);
  const first = await send("DELETE", input.url);
  if (first.status !== 202) return;
  if (pollUrlOf(first, input.url)) {
    await pollUntilDone(send, input, first);
    return;
  }
  let wait = retryAfter(first) ?? input.pollIntervalMs;
  for (;;) {
    await delay(wait);
    const look = await send("GET", input.url);
    if (look.status === 404 || look.status === 204) return;
    wait = retryAfter(look) ?? input.pollIntervalMs;
  }
}

/**
 * GET an ARM list and follow its nextLink pages (only on the ARM host we call: our token goes nowhere else), returning
 * every item of `value`. Failures are port errors.
 */
export async function listAll(client: PipelineSender, input: { url: string; timeoutMs: number }): Promise<unknown[]> {
  const send = sender(client, { ...input, pollIntervalMs: 0 });
  const origin = new URL(input.url).origin;
  const items: unknown[] = [];
  for (let url: string | undefined = input.url; url;) {
    const page = parse((await send("GET", url)).bodyAsText) as { value?: unknown; nextLink?: unknown } | undefined;
    if (Array.isArray(page?.value)) items.push(...(page.value as unknown[]));
    const next = typeof page?.nextLink === "string" && page.nextLink ? page.nextLink : undefined;
    if (next && new URL(next, url).origin !== origin) {
      throw new PermanentError(PermanentCodes.badRequest, `ARM named a next page on another host (${next}).`);
    }
    url = next ? new URL(next, url).href : undefined;
  }
  return items;
}

/** The operation to follow: Azure-AsyncOperation first, else a 202's Location; only on the ARM host we call. */
function pollUrlOf(
  response: PipelineResponse,
  requestUrl: string,
): { url: string; kind: "status" | "location" } | undefined {
  const asyncOperation = response.headers.get("azure-asyncoperation");
  const location = response.status === 202 ? response.headers.get("location") : undefined;
  const origin = new URL(requestUrl).origin;
  // Our token goes only to the ARM endpoint we were configured with.
  if (asyncOperation && new URL(asyncOperation).origin === origin) return { url: asyncOperation, kind: "status" };
  if (location && new URL(location).origin === origin) return { url: location, kind: "location" };
  return undefined;
}

/** Follows the operation a first answer names, if any, until it succeeds; failed or canceled is a TransientError. */
async function pollUntilDone(send: Send, input: PollInput, first: PipelineResponse): Promise<void> {
  const named =
    first.headers.get("azure-asyncoperation") ?? (first.status === 202 ? first.headers.get("location") : undefined);
  if (!named) return;
  const poll = pollUrlOf(first, input.url);
  // A 200/201 already carries the result: an operation we may not follow does not undo it.
  if (!poll && first.status !== 202) return;
  if (!poll) {
    throw new PermanentError(PermanentCodes.badRequest, `ARM named a poll URL on another host (${named}).`);
  }
  // Like the SDK poller: the first look at once (unless ARM asks to wait), then every interval.
  let wait = retryAfter(first) ?? 0;
  for (;;) {
    await delay(wait);
    const answer = await send("GET", poll.url);
    if (poll.kind === "status") {
      const reported = (parse(answer.bodyAsText) as { status?: unknown } | undefined)?.status;
      const status = typeof reported === "string" ? reported : "";
      if (/^succeeded$/i.test(status)) return;
      if (/^(failed|canceled|cancelled)$/i.test(status)) {
        throw new TransientError(
          "ARM_OPERATION_FAILED",
          `ARM reports the operation on ${pathOf(input.url)} ${status}.`,
        );
      }
    } else if (answer.status !== 202) {
      return;
    }
    wait = retryAfter(answer) ?? input.pollIntervalMs;
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
