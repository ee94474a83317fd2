/** Small glue the function files share: the durable client, logging, and turning failures into HTTP answers. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { apiError, MAX_BODY_BYTES, type ApiResponse } from "../src/app/http-api";
import { fromDurableClient, type OrchestrationClient } from "../src/app/orchestration-client";
import type { SweepActivityDeps } from "../src/app/sweep-activities";
import { getBookkeeping, getCallMeter, getConfig, getConnectionGraph, getGateway } from "../src/composition-root";
import { ConfigError } from "../src/config";
import { decodeKey } from "../src/domain/arm-id";
import { DomainError } from "../src/domain/errors";
import { OPERATOR_FAULT_CODES, PermanentError, TransientError } from "../src/ports/errors";
import { logEvent, textField } from "./log-event";

export const durableClientInput = df.input.durableClient();

export function orchestrationClient(context: InvocationContext): OrchestrationClient {
  return fromDurableClient(df.getClient(context));
}

/** What the sweep's steps need: ARM (and Resource Graph when SWEEP_LISTING says so), tables, the durable client. */
export async function sweepPorts(context: InvocationContext): Promise<SweepActivityDeps> {
  const cfg = getConfig();
  return {
    gateway: await getGateway(),
    ...(cfg.sweepListing === "resource-graph" ? { graph: await getConnectionGraph() } : {}),
    bookkeeping: await getBookkeeping(),
    client: orchestrationClient(context),
    meter: getCallMeter(),
    log: (m) => context.log(m),
  };
}

/** The connection a `connections/{key}/...` POST names, or the coded refusal (body too large, key not valid). */
export function postedConnectionId(request: HttpRequest): { connectionId: string } | { refusal: ApiResponse } {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_BODY_BYTES)
    return { refusal: apiError(413, "BODY_TOO_LARGE", `Send at most ${MAX_BODY_BYTES} bytes of JSON.`) };
  try {
    return { connectionId: decodeKey(request.params.key ?? "") };
  } catch {
    return { refusal: apiError(400, "KEY_INVALID", "The key is not valid; use the key from /api/connections.") };
  }
}

export function toHttp(response: ApiResponse): HttpResponseInit {
  return {
    status: response.status,
    jsonBody: response.jsonBody,
    ...(response.headers ? { headers: response.headers } : {}),
  };
}

/**
 * Runs an HTTP handler body; known failures become coded answers, never a stack trace. The caller's mistakes are
 * 4xx; faults of our own (settings, the app's identity and role assignments, busy dependencies) are 5xx, so a caller
 * does not "fix" a request that was never wrong. Every answer is logged as one structured entry.
 */
export async function answer(context: InvocationContext, work: () => Promise<ApiResponse>): Promise<HttpResponseInit> {
  let response: ApiResponse;
  try {
    response = await work();
  } catch (error) {
    response = failureResponse(error);
    const level = response.status >= 500 ? "error" : "warn";
    logEvent(context, "http-failure", { code: errorCodeOf(response), message: (error as Error).message }, level);
  }
  logEvent(context, "http", {
    function: context.functionName,
    status: response.status,
    code: errorCodeOf(response),
    instanceId: textField(response.jsonBody, "instanceId"),
    connectionKey: textField(response.jsonBody, "connectionKey"),
    outcome: textField(response.jsonBody, "outcome"),
  });
  return toHttp(response);
}

function failureResponse(error: unknown): ApiResponse {
  if (error instanceof ConfigError) {
    return apiError(
      503,
      error.code,
      "The app is not configured correctly; an operator must fix its settings (see /api/health).",
    );
  }
  if (error instanceof TransientError) {
    return apiError(503, error.code, "A dependency is busy or unreachable; try again in a minute.");
  }
  if (error instanceof PermanentError && OPERATOR_FAULT_CODES.has(error.code)) {
    return apiError(
      502,
      error.code,
      "Azure refused the app's own identity; nothing is wrong with your request. An operator must grant the app's identity its roles (the log entry names the scope); try again after that.",
    );
  }
  if (error instanceof PermanentError || error instanceof DomainError) return apiError(400, error.code, error.message);
  return apiError(500, "INTERNAL", "Something failed on our side; the operators have the log entry.");
}

function errorCodeOf(response: ApiResponse): string | undefined {
  return textField((response.jsonBody as { error?: unknown } | null | undefined)?.error, "code");
}
