/**
 * The error taxonomy every port speaks. Adapters translate SDK failures into these two kinds so the workflow can
 * decide: a TransientError is thrown (the durable retry policy tries again); a PermanentError ends the step with a
 * recorded reason and never leads to an approval.
 */
export class TransientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** A server-suggested wait before the next try (Retry-After), when one was given. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "TransientError";
  }
}

export class PermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PermanentError";
  }
}

/** Stable codes for permanent failures the workflow reacts to. */
export const PermanentCodes = {
  forbidden: "ARM_FORBIDDEN",
  notFound: "ARM_NOT_FOUND",
  notPending: "CONNECTION_NOT_PENDING",
  /** ARM shows another endpoint, subscription or tenant than the one policy judged. */
  mismatch: "CONNECTION_MISMATCH",
  quotaExhausted: "QUOTA_EXHAUSTED",
  badRequest: "ARM_BAD_REQUEST",
  unsupportedResourceType: "RESOURCE_TYPE_UNSUPPORTED",
  policyUnavailable: "POLICY_UNAVAILABLE",
  storage: "STORAGE_REJECTED",
  storageForbidden: "STORAGE_FORBIDDEN",
  unauthorized: "ARM_UNAUTHORIZED",
} as const;

/** Faults of our own identity or role assignments: an operator must act, whatever the caller sends. */
export const OPERATOR_FAULT_CODES: ReadonlySet<string> = new Set([
  PermanentCodes.forbidden,
  PermanentCodes.unauthorized,
  PermanentCodes.storageForbidden,
]);
