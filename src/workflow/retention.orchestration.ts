import type { DeleteRetainedResult, RetentionInput } from "./contracts";
import { ActivityNames } from "./names";
import { callActivity, type WorkflowContext, type WorkflowGenerator } from "./workflow-context";

export type RetentionReport = Record<DeleteRetainedResult, string[]>;

/**
 * Rejected and Disconnected connections unchanged for longer than the retention period are deleted on the provider
 * side. The age is judged by the orchestration's clock; each deletion reads ARM first and deletes only a connection
 * ARM still shows Rejected or Disconnected.
 */
export function* retentionOrchestration(context: WorkflowContext): WorkflowGenerator<RetentionReport> {
  const input = context.df.getInput<RetentionInput>();
  const at = (): string => context.df.currentUtcDateTime.toISOString();
  const report: RetentionReport = { deleted: [], absent: [], kept: [] };
  const due = yield* callActivity(context, ActivityNames.listRetained, {
    now: at(),
    retention: input.retention,
    limit: input.limit,
  });
  for (const connectionId of due) {
    const result = yield* callActivity(context, ActivityNames.deleteRetained, {
      instanceId: context.df.instanceId,
      connectionId,
      retention: input.retention,
      at: at(),
    });
    report[result].push(connectionId);
  }
  context.df.setCustomStatus({ step: "done", ...counts(report) });
  return report;
}

function counts(report: RetentionReport): Record<DeleteRetainedResult, number> {
  return { deleted: report.deleted.length, absent: report.absent.length, kept: report.kept.length };
}
