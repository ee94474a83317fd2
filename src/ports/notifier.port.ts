import type { PolicyDecision } from "../domain/policy";
import type { ConnectionRequest } from "../domain/connection";

export interface ApprovalRequest {
  instanceId: string;
  request: ConnectionRequest;
  decision: PolicyDecision;
  approvers: string[];
  /** ISO time after which the policy's onDeadline outcome applies. */
  deadline: string;
  /** "request" for the first notice, "reminder" for later ones. */
  kind: "request" | "reminder";
}

/** Asks people to decide. The next issue fills Teams and email; until then a log adapter stands in. */
export interface Notifier {
  requestApproval(request: ApprovalRequest): Promise<void>;
}
