import type { ApprovalChannel } from "../domain/tenant";
import type { ApprovalLinks, ApprovalNotice, ChannelTarget, NoticeChannel } from "./notifier.port";

/** Keeps what it was asked to send: the unit-test stand-in for Teams and email; `failing` makes it throw. */
export class RecordingChannel implements NoticeChannel {
  readonly sent: { notice: ApprovalNotice; target: ChannelTarget }[] = [];
  failing = false;
  constructor(
    readonly channel: ApprovalChannel,
    private readonly configured = true,
  ) {}

  available(): boolean {
    return this.configured;
  }

  async send(notice: ApprovalNotice, target: ChannelTarget): Promise<void> {
    if (this.failing) throw new Error(`${this.channel} is down`);
    this.sent.push({ notice, target });
  }
}

/** Links that show their inputs, so tests can see who each link is for. */
export const plainLinks: ApprovalLinks = {
  async linkFor(input) {
    return `https://approvals.test/${encodeURIComponent(input.approver)}/${input.nonce}`;
  },
};
