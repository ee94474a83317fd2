import type { ApprovalRequest, Notifier } from "./notifier.port";

/** Keeps approval requests in a list: the unit-test stand-in for Teams and email. */
export class RecordingNotifier implements Notifier {
  readonly sent: ApprovalRequest[] = [];
  async requestApproval(request: ApprovalRequest): Promise<void> {
    this.sent.push(request);
  }
}
