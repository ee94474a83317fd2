import { PermanentCodes, PermanentError, TransientError } from "../../ports/errors";

interface RestLike {
  statusCode?: number;
  code?: string;
  name?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

export function statusOf(error: unknown): number | undefined {
  return (error as RestLike | undefined)?.statusCode;
}

function retryAfterMs(error: RestLike): number | undefined {
  const header = error.response?.headers?.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Maps an ARM/SDK failure onto the port taxonomy. `what` says what we were doing, for the recorded reason. */
export function toPortError(error: unknown, what: string): Error {
  if (error instanceof PermanentError || error instanceof TransientError) return error;
  const e = (error ?? {}) as RestLike;
  const status = e.statusCode;
  const code = e.code ?? "";
  if (status === 403) {
    return new PermanentError(
      PermanentCodes.forbidden,
      `ARM refused ${what} (403 ${code}): grant the app's identity the custom role on that scope.`,
    );
  }
  if (status === 404)
    return new PermanentError(PermanentCodes.notFound, `ARM found nothing for ${what} (404 ${code}).`);
  if (status === 400 && /StateChangeNotAllowed|NotPending|InvalidPrivateEndpointConnectionState/i.test(code)) {
    return new PermanentError(
      PermanentCodes.notPending,
      `The connection is no longer Pending (${code}); it was left as it is.`,
    );
  }
  if (status === 401) {
    return new PermanentError(
      PermanentCodes.unauthorized,
      `ARM did not accept the app's token for ${what} (401 ${code}); check the managed identity.`,
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429) {
    return new PermanentError(
      PermanentCodes.badRequest,
      `ARM rejected ${what} (${status} ${code}): ${short(e.message)}`,
    );
  }
  const after = retryAfterMs(e);
  return new TransientError(
    status === 429 ? "ARM_THROTTLED" : e.name === "AbortError" ? "ARM_TIMEOUT" : "ARM_UNAVAILABLE",
    `ARM did not complete ${what} (${status ?? e.name ?? "network"}); it will be retried.`,
    after,
  );
}

function short(text: string | undefined): string {
  return (text ?? "").slice(0, 300);
}
