/** Function names of the orchestrations and activities: the only place these strings are written. */
export const OrchestrationNames = {
  connectionReview: "connection-review",
  connectionCleanup: "connection-cleanup",
  endpointIntake: "endpoint-intake",
  notificationIntake: "notification-intake",
  retentionSweep: "retention-sweep",
} as const;

export const ActivityNames = {
  recordRequest: "review-record-request",
  readConnection: "review-read-connection",
  resolveTenant: "review-resolve-tenant",
  decide: "review-decide",
  requestApproval: "review-request-approval",
  recordHumanDecision: "review-record-human-decision",
  applyDecision: "review-apply-decision",
  registerDns: "review-register-dns",
  recordOutcome: "review-record-outcome",
  findEndpointConnections: "cleanup-find-endpoint-connections",
  confirmGone: "cleanup-confirm-gone",
  removeDns: "cleanup-remove-dns",
  deleteProviderConnection: "cleanup-delete-provider-connection",
  recordRemoval: "cleanup-record-removal",
  resolveEndpoint: "intake-resolve-endpoint",
  listNotifiedConnections: "intake-list-notified-connections",
} as const;

export type ActivityName = (typeof ActivityNames)[keyof typeof ActivityNames];

/** The stale-connection steps (src/workflow/stale-activities.ts). */
export const StaleActivityNames = {
  recordApprovalPeriod: "approval-record-period",
  endApproval: "approval-end",
  recordApprovalEnd: "approval-record-end",
  listRetained: "retention-list",
  deleteRetained: "retention-delete",
} as const;

/** The external event the review waits for; the approval endpoints (next issue) raise it. */
export const APPROVAL_EVENT = "ApprovalDecision";

/** The external event that renews a time-bound approval (the renew API raises it). */
export const RENEW_EVENT = "RenewApproval";
