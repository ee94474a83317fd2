import type { ConnectionRequest } from "../domain/connection";
import type { ApprovalChannel } from "../domain/tenant";

/** "expiring": a time-bound approval ends soon unless renewed. */
export type NoticeKind = "request" | "reminder" | "escalation" | "expiring";

/** Everything an approver needs to decide from the message alone; every channel renders the same facts. */
export interface ApprovalNotice {
  kind: NoticeKind;
  /** Stable per notice and channel: a channel that supports it uses it to drop a repeated send. */
  idempotencyKey: string;
  request: ConnectionRequest;
  /** The tenant record's display name; absent for an unknown tenant. */
  tenantName?: string;
  policy: { ruleId: string; reason: string; version: string };
  /** ISO time after which `onDeadline` applies. */
  deadline: string;
  onDeadline: "approve" | "reject";
  /** One personal approval link per approver (the token inside is bound to that approver). */
  links: { approver: string; url?: string }[];
}

export interface ChannelTarget {
  /** Teams: the webhook to post to (the tenant's own, else the app's). */
  teamsWebhookUrl?: string;
}

/** One way of asking people (a Teams Workflows card, an email). Throws when the message was not accepted. */
export interface NoticeChannel {
  readonly channel: ApprovalChannel;
  /** False when the channel has no endpoint configured for this target (then it is skipped, not failed). */
  available(target: ChannelTarget): boolean;
  send(notice: ApprovalNotice, target: ChannelTarget): Promise<void>;
}

/** Makes the personal approval link for one approver; undefined when links are not configured. */
export interface ApprovalLinks {
  linkFor(input: {
    instanceId: string;
    connectionId: string;
    approver: string;
    expiresAt: string;
    nonce: string;
  }): Promise<string | undefined>;
}
