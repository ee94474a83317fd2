import { PermanentCodes, PermanentError, TransientError } from "../../ports/errors";

interface RestLike {
  statusCode?: number;
  code?: string;
  details?: { errorCode?: string };
  message?: string;
}

export function statusOf(error: unknown): number | undefined {
  return (error as RestLike | undefined)?.statusCode;
}

/** Table errors carry no RestError.code: classify by status (and details.errorCode) into the port taxonomy. */
export function toPortError(error: unknown, what: string): Error {
  const status = statusOf(error);
  const code = (error as RestLike | undefined)?.details?.errorCode ?? (error as RestLike | undefined)?.code;
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return new TransientError(
      "STORAGE_UNAVAILABLE",
      `Table storage did not answer ${what} (${status ?? code ?? "network"}); it will be retried.`,
    );
  }
  if (status === 401 || status === 403) {
    return new PermanentError(
      PermanentCodes.storageForbidden,
      `Table storage refused the app's identity for ${what} (${status}${code ? ` ${code}` : ""}); grant it the Storage Table Data Contributor role on the account.`,
    );
  }
  return new PermanentError(
    PermanentCodes.storage,
    `Table storage refused ${what} (${status}${code ? ` ${code}` : ""}); check the storage role assignment and the table names.`,
  );
}
