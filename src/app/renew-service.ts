import type { Bookkeeping } from "../ports/bookkeeping.port";
import type { RenewEventBody } from "../workflow/contracts";
import { RENEW_EVENT } from "../workflow/names";
import type { ReviewControl } from "./approval-service";
import { apiError, type ApiResponse } from "./http-api";
import type { Principal } from "./principal";

export interface RenewDeps {
  bookkeeping: Bookkeeping;
  reviews: ReviewControl;
}

export const MAX_RENEW_REASON_CHARS = 500;

/**
 * Renews a time-bound approval (an Approver or Admin, checked by the caller): the review holding it starts a new
 * period from now. Only a review that holds an approval can be renewed; anything else changes nothing.
 */
export async function renewApproval(
  connectionId: string,
  body: unknown,
  principal: Principal,
  deps: RenewDeps,
): Promise<ApiResponse> {
  const fields =
    typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (
    fields.reason !== undefined &&
    (typeof fields.reason !== "string" || fields.reason.length > MAX_RENEW_REASON_CHARS)
  ) {
    return apiError(
      400,
      "BODY_INVALID",
      `Send {"reason": "..."} with a reason of at most ${MAX_RENEW_REASON_CHARS} characters, or no body.`,
    );
  }
  const record = await deps.bookkeeping.getConnection(connectionId);
  if (!record?.instanceId) {
    return apiError(404, "CONNECTION_UNKNOWN", "No review has recorded this connection; check the connection key.");
  }
  const status = await deps.reviews.status(record.instanceId);
  if (status?.runtimeStatus !== "Running" || status.customStatus?.step !== "approved-until") {
    return apiError(
      409,
      "NOT_TIME_BOUND",
      `This connection holds no time-bound approval to renew (it is ${record.state}); nothing was changed.`,
    );
  }
  const reason = typeof fields.reason === "string" ? fields.reason.trim() : "";
  const event: RenewEventBody = { by: principal.name, ...(reason ? { reason } : {}) };
  await deps.reviews.raiseEvent(record.instanceId, RENEW_EVENT, event);
  return {
    status: 202,
    jsonBody: {
      connectionId: record.connectionId,
      renewedBy: principal.name,
      ...(status.customStatus.validUntil ? { previousValidUntil: status.customStatus.validUntil } : {}),
    },
  };
}
