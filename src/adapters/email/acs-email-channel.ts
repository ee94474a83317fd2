import { createHash } from "node:crypto";
import type { EmailClient } from "@azure/communication-email";
import type { ApprovalNotice, NoticeChannel } from "../../ports/notifier.port";
import { approvalEmail } from "./approval-email";

export interface AcsEmailChannelOptions {
  /** ACS_EMAIL_SENDER: an address of a verified domain linked to the resource. */
  sender: string;
  pollIntervalMs?: number;
  sendTimeoutMs?: number;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Azure Communication Services email: one message per approver (each carries that approver's own link). The
 * Operation-Id header is derived from the notice, so ACS drops a repeat of the same send.
 */
export class AcsEmailChannel implements NoticeChannel {
  readonly channel = "email" as const;

  constructor(
    private readonly client: EmailClient | undefined,
    private readonly options: AcsEmailChannelOptions,
  ) {}

  available(): boolean {
    return this.client !== undefined;
  }

  async send(notice: ApprovalNotice): Promise<void> {
    if (!this.client) throw new Error("ACS email is not configured.");
    const recipients = notice.links.filter((l) => EMAIL.test(l.approver));
    if (recipients.length === 0) throw new Error("none of the approvers has an email address");
    for (const link of recipients) {
      const content = approvalEmail(notice, link);
      const poller = await this.client.beginSend(
        {
          senderAddress: this.options.sender,
          recipients: { to: [{ address: link.approver }] },
          content,
          disableUserEngagementTracking: true,
        },
        {
          operationId: operationId(`${notice.idempotencyKey}|${link.approver.toLowerCase()}`),
          updateIntervalInMs: this.options.pollIntervalMs ?? 500,
        },
      );
      // Bounded: an operation that never settles is a failure (and another channel is tried), not a stuck review.
      const result = await poller.pollUntilDone({
        abortSignal: AbortSignal.timeout(this.options.sendTimeoutMs ?? 60_000),
      });
      if (result.status !== "Succeeded") {
        throw new Error(
          `ACS did not send the email (${result.status}${result.error?.code ? `, ${result.error.code}` : ""})`,
        );
      }
    }
  }
}

/** A UUID made from the notice key: the same notice always gets the same ACS operation. */
export function operationId(key: string): string {
  const h = createHash("sha256").update(key).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
