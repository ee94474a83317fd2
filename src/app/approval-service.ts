import type { Bookkeeping, ConnectionRecord } from "../ports/bookkeeping.port";
import type { ApprovalEventBody, DecisionChannel, RenewEventBody, ReviewProgress } from "../workflow/contracts";
import { APPROVAL_EVENT } from "../workflow/names";
import { hasRole, isSamePerson, type Principal } from "./principal";

/** The slice of the durable client that deciding needs. */
export interface ReviewControl {
  /** undefined when no such instance exists. */
  status(instanceId: string): Promise<{ runtimeStatus: string; customStatus?: ReviewProgress } | undefined>;
  raiseEvent(instanceId: string, eventName: string, body: ApprovalEventBody | RenewEventBody): Promise<void>;
}

export interface DecideDeps {
  bookkeeping: Bookkeeping;
  reviews: ReviewControl;
  now: () => string;
}

export interface DecideRequest {
  connectionId: string;
  decision: "approve" | "reject";
  reason: string;
  principal: Principal | undefined;
  via: DecisionChannel;
  /** The page: the review its link was made for (a link from an earlier review of the same connection is refused). */
  instanceId?: string;
  /** The page: records the link's single use; false when it was already used (nothing is decided then). */
  claim?: (record: ConnectionRecord) => Promise<boolean>;
}

export type DecideResult =
  | { ok: true; connectionId: string; decision: "approve" | "reject"; decidedBy: string }
  | { ok: false; status: number; code: string; message: string; record?: ConnectionRecord };

const refuse = (status: number, code: string, message: string, record?: ConnectionRecord): DecideResult => ({
  ok: false,
  status,
  code,
  message,
  ...(record ? { record } : {}),
});

export const MAX_REASON_CHARS = 500;

/**
 * The one way a person decides, from the approval page or the API. Through the API the signed-in principal needs
 * the Approver role (a function key is not a person); on the page the link names the approver. Either way the
 * person must be among the approvers the review itself asked. The decision goes to the review as its external
 * event; the review checks again and writes through ARM.
 */
export async function decide(req: DecideRequest, deps: DecideDeps): Promise<DecideResult> {
  const { principal } = req;
  if (!principal) return refuse(401, "NOT_SIGNED_IN", "Sign in with your organisation account to decide.");
  if (req.via === "api" && !hasRole(principal, "Approver")) {
    return refuse(403, "APPROVER_ROLE_REQUIRED", "Deciding needs the Approver app role; ask an administrator for it.");
  }
  const record = await deps.bookkeeping.getConnection(req.connectionId);
  if (!record?.instanceId) {
    return refuse(404, "CONNECTION_UNKNOWN", "No review has recorded this connection; check the connection key.");
  }
  if (req.instanceId !== undefined && req.instanceId !== record.instanceId) {
    return refuse(
      409,
      "REVIEW_ENDED",
      "This link belongs to an earlier review of this connection, which has ended.",
      record,
    );
  }
  const status = await deps.reviews.status(record.instanceId);
  if (status?.runtimeStatus === "Running" && status.customStatus?.step === "asking-approvers") {
    return refuse(
      409,
      "REVIEW_NOT_READY",
      "This review is still asking its approvers; try again in a few seconds. Nothing was changed.",
      record,
    );
  }
  const waiting = status?.runtimeStatus === "Running" && status.customStatus?.step === "awaiting-approval";
  if (!waiting) {
    return refuse(
      409,
      "REVIEW_NOT_WAITING",
      `This review is not waiting for a decision (it is ${record.state}); nothing was changed.`,
      record,
    );
  }
  const approvers = status.customStatus?.approvers ?? [];
  if (!approvers.some((a) => isSamePerson(principal, a))) {
    await recordNotAnApprover(deps, record, principal, req.via);
    return refuse(
      403,
      "NOT_AN_APPROVER",
      `${principal.name} is not among this review's approvers; ask one of them (${approvers.join(", ") || "none"}) to decide.`,
      record,
    );
  }
  if (req.claim && !(await req.claim(record))) {
    return refuse(409, "LINK_USED", "This approval link has already been used.", record);
  }
  const reason = req.reason.trim().slice(0, MAX_REASON_CHARS);
  await deps.reviews.raiseEvent(record.instanceId, APPROVAL_EVENT, {
    decision: req.decision,
    approver: principal.name,
    ...(reason ? { reason } : {}),
    via: req.via,
  });
  return { ok: true, connectionId: record.connectionId, decision: req.decision, decidedBy: principal.name };
}

/** Records that someone the review did not ask tried to decide (once per person, review and channel). */
export async function recordNotAnApprover(
  deps: Pick<DecideDeps, "bookkeeping" | "now">,
  record: ConnectionRecord,
  principal: Principal,
  via: DecisionChannel,
): Promise<void> {
  await deps.bookkeeping.appendAudit({
    connectionId: record.connectionId,
    stepId: `${record.instanceId ?? "review"}:refused-${principal.id}-${via}`,
    at: deps.now(),
    kind: "decision",
    actor: principal.name,
    message: `Refused a decision from ${principal.name} via ${via}: not among this review's approvers.`,
  });
}

/** Parses `{ decision, reason }`; a message naming what is wrong otherwise. */
export function parseDecisionBody(
  value: unknown,
): { ok: true; decision: "approve" | "reject"; reason: string } | { ok: false; message: string } {
  const body =
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  if (body.decision !== "approve" && body.decision !== "reject") {
    return { ok: false, message: 'Send {"decision": "approve"|"reject", "reason": "..."}.' };
  }
  if (body.reason !== undefined && typeof body.reason !== "string") {
    return { ok: false, message: "reason must be text." };
  }
  const reason = body.reason ?? "";
  if (reason.length > MAX_REASON_CHARS) {
    return { ok: false, message: `Keep the reason under ${MAX_REASON_CHARS} characters.` };
  }
  return { ok: true, decision: body.decision, reason };
}
