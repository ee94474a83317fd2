import type { ApprovalRequest, Notifier } from "../../ports/notifier.port";

export type LogSink = (message: string) => void;

/** Stand-in until Teams and email arrive (next issue): says who should decide, by when, and about what. */
export class LogNotifier implements Notifier {
  constructor(private readonly log: LogSink) {}

  async requestApproval(request: ApprovalRequest): Promise<void> {
    this.log(
      `Approval ${request.kind} for ${request.request.connectionId} (rule ${request.decision.ruleId}): ` +
        `approvers ${request.approvers.join(", ") || "none configured"}, deadline ${request.deadline}, instance ${request.instanceId}.`,
    );
  }
}
