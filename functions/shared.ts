/** Small glue the function files share: the durable client, logging, and turning failures into HTTP answers. */
import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { apiError, type ApiResponse } from "../src/app/http-api";
import { fromDurableClient, type OrchestrationClient } from "../src/app/orchestration-client";
import type { SweepDeps } from "../src/app/sweep-service";
import { getConfig, getGateway } from "../src/composition-root";
import { ConfigError } from "../src/config";
import { DomainError } from "../src/domain/errors";
import { PermanentError, TransientError } from "../src/ports/errors";

export const durableClientInput = df.input.durableClient();

export function orchestrationClient(context: InvocationContext): OrchestrationClient {
  return fromDurableClient(df.getClient(context));
}

/** What both timers (review sweep, clean-up) need: ARM, the durable client, the managed scopes, log and clock. */
export async function sweepDeps(context: InvocationContext): Promise<SweepDeps> {
  return {
    gateway: await getGateway(),
    client: orchestrationClient(context),
    managedScopes: getConfig().managedResourceIds,
    log: (m) => context.log(m),
    now: () => new Date().toISOString(),
  };
}

export function toHttp(response: ApiResponse): HttpResponseInit {
  return {
    status: response.status,
    jsonBody: response.jsonBody,
    ...(response.headers ? { headers: response.headers } : {}),
  };
}

/** Runs an HTTP handler body; known failures become coded answers, never a stack trace. */
export async function answer(context: InvocationContext, work: () => Promise<ApiResponse>): Promise<HttpResponseInit> {
  try {
    return toHttp(await work());
  } catch (error) {
    if (error instanceof ConfigError) {
      context.error(error.message);
      return toHttp(
        apiError(
          503,
          error.code,
          "The app is not configured correctly; an operator must fix its settings (see /api/health).",
        ),
      );
    }
    if (error instanceof TransientError) {
      context.warn(`${error.code}: ${error.message}`);
      return toHttp(apiError(503, error.code, "A dependency is busy or unreachable; try again in a minute."));
    }
    if (error instanceof PermanentError || error instanceof DomainError) {
      context.warn(`${error.code}: ${error.message}`);
      return toHttp(apiError(400, error.code, error.message));
    }
    context.error(`Unexpected failure: ${(error as Error).message}`);
    return toHttp(apiError(500, "INTERNAL", "Something failed on our side; the operators have the log entry."));
  }
}
