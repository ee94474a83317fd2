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
  // Stale connections (src/workflow/stale.activities.ts): time-bound approvals ending, retention.
  recordApprovalPeriod: "approval-record-period",
  endApproval: "approval-end",
  recordApprovalEnd: "approval-record-end",
  listRetained: "retention-list",
  deleteRetained: "retention-delete",
} as const;

export type ActivityName = (typeof ActivityNames)[keyof typeof ActivityNames];

/** The activities of each workflow (their names carry its prefix); each group has its own activities module. */
export type ReviewActivityName = Extract<ActivityName, `review-${string}`>;
export type CleanupActivityName = Extract<ActivityName, `cleanup-${string}`>;
export type IntakeActivityName = Extract<ActivityName, `intake-${string}`>;
export type StaleActivityName = Extract<ActivityName, `approval-${string}` | `retention-${string}`>;

/** The external event the review waits for; the approval page and the decision API raise it (approval-service). */
export const APPROVAL_EVENT = "ApprovalDecision";

/** The external event that renews a time-bound approval (the renew API raises it). */
export const RENEW_EVENT = "RenewApproval";
/** The sweeps: one orchestration per timer tick, its activities (registered in functions/sweep.ts). */
export const SweepNames = {
  orchestration: "estate-sweep",
  listResources: "sweep-list-resources",
  sweepResource: "sweep-resource",
  graphPage: "sweep-graph-page",
  cleanupExtras: "sweep-cleanup-extras",
  recordReport: "sweep-record-report",
} as const;
