import { APPROVAL_CHANNELS, type ApprovalChannel } from "../domain/tenant";
import type { Bookkeeping } from "../ports/bookkeeping.port";
import type { ApprovalLinks, ApprovalNotice, ChannelTarget, NoticeChannel } from "../ports/notifier.port";
import { runOf, type RequestApprovalInput, type RequestApprovalResult } from "./contracts";

/** What asking people needs: the channels, the link maker, and the app-wide defaults (APPROVERS, APPROVAL_CHANNELS). */
export interface ApprovalNoticePorts {
  channels: readonly NoticeChannel[];
  links: ApprovalLinks;
  defaultApprovers: readonly string[];
  defaultChannels: readonly ApprovalChannel[];
}

type Outcome = "sent" | "failed" | "skipped";

/** Who is asked: the rule's approvers, else the tenant record's, else the APPROVERS setting. */
export function resolveApprovers(input: RequestApprovalInput, defaults: readonly string[]): string[] {
  if (input.recipients) return unique(input.recipients);
  const fromRule = input.decision.review?.approvers ?? [];
  const fromTenant = input.tenant?.approvers ?? [];
  // An approval about to end concerns both sides: whoever approves for us, and the tenant's own contacts.
  if (input.kind === "expiring") return unique([...fromRule, ...defaults, ...fromTenant]);
  if (fromRule.length > 0) return unique(fromRule);
  return unique(fromTenant.length > 0 ? fromTenant : defaults);
}

/**
 * Sends one notice on the configured channels and falls back to the other channel when none took it. Never throws
 * for a channel: a review must not stall or fail because Teams or ACS is down; each outcome is an audit entry.
 * Idempotent: a channel whose send was recorded for this notice is not used again when the activity runs twice.
 */
export async function sendApprovalNotice(
  ports: ApprovalNoticePorts,
  bookkeeping: Bookkeeping,
  input: RequestApprovalInput,
): Promise<RequestApprovalResult> {
  const approvers = resolveApprovers(input, ports.defaultApprovers);
  const base = `${runOf(input)}:notice-${input.kind}-${input.sequence}`;
  const review = input.decision.review;
  const nonceBase = `${Date.parse(input.at).toString(36)}.${input.kind}.${input.sequence}`;
  // An ending approval has nothing to decide on the approval page: the notice says how to renew instead.
  const links = await Promise.all(
    approvers.map(async (approver, i) => {
      if (input.kind === "expiring") return { approver };
      const url = await ports.links.linkFor({
        instanceId: input.instanceId,
        connectionId: input.request.connectionId,
        approver,
        expiresAt: input.deadline,
        nonce: `${nonceBase}.${i}`,
      });
      return { approver, ...(url ? { url } : {}) };
    }),
  );
  const notice = (channel: ApprovalChannel): ApprovalNotice => ({
    kind: input.kind,
    idempotencyKey: `${base}-${channel}`,
    request: input.request,
    ...(input.tenant ? { tenantName: input.tenant.displayName } : {}),
    policy: { ruleId: input.decision.ruleId, reason: input.decision.reason, version: input.decision.policyVersion },
    deadline: input.deadline,
    onDeadline: review?.onDeadline ?? "reject",
    links,
  });
  const target: ChannelTarget = input.tenant?.teamsWebhookUrl ? { teamsWebhookUrl: input.tenant.teamsWebhookUrl } : {};
  const audit = (channel: ApprovalChannel, outcome: Outcome, message: string) =>
    bookkeeping.appendAudit({
      connectionId: input.request.connectionId,
      stepId: `${base}-${channel}-${outcome}`,
      at: input.at,
      kind: outcome === "failed" ? "error" : "decision",
      actor: "autopilot",
      message,
      data: { notice: input.kind, channel, outcome, approvers },
    });

  const attempt = async (channel: ApprovalChannel, fallback: boolean): Promise<Outcome> => {
    if (await bookkeeping.hasAuditStep(input.request.connectionId, `${base}-${channel}-sent`)) return "sent";
    const how = `${fallback ? "fallback " : ""}${channel}`;
    const adapter = ports.channels.find((c) => c.channel === channel);
    if (!adapter || !adapter.available(target)) {
      await audit(channel, "skipped", `Approval ${input.kind} not sent by ${how}: the channel is not configured.`);
      // Stryker disable next-line StringLiteral: the caller only asks whether the outcome is "sent"
      return "skipped";
    }
    if (approvers.length === 0) {
      await audit(channel, "skipped", `Approval ${input.kind} not sent by ${how}: nobody is configured to approve.`);
      // Stryker disable next-line StringLiteral: the caller only asks whether the outcome is "sent"
      return "skipped";
    }
    try {
      await adapter.send(notice(channel), target);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      await audit(channel, "failed", `Approval ${input.kind} by ${how} failed after retries: ${why}`.slice(0, 1000));
      // Stryker disable next-line StringLiteral: the caller only asks whether the outcome is "sent"
      return "failed";
    }
    await audit(
      channel,
      "sent",
      `Approval ${input.kind} sent by ${how} to ${approvers.join(", ")}; deadline ${input.deadline}.`,
    );
    return "sent";
  };

  const wanted = input.tenant?.approvalChannels ?? ports.defaultChannels;
  let delivered = false;
  for (const channel of wanted) delivered = (await attempt(channel, false)) === "sent" || delivered;
  if (!delivered) {
    for (const channel of APPROVAL_CHANNELS.filter((c) => !wanted.includes(c))) {
      delivered = (await attempt(channel, true)) === "sent" || delivered;
    }
  }
  if (!delivered) {
    await bookkeeping.appendAudit({
      connectionId: input.request.connectionId,
      stepId: `${base}-undelivered`,
      at: input.at,
      kind: "error",
      actor: "autopilot",
      message: `Nobody could be asked (${input.kind}); the review still waits for a decision through the API or its deadline.`,
    });
  }
  return { approvers, delivered };
}

function unique(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return list
    .map((a) => a.trim())
    .filter((a) => a !== "" && !seen.has(a.toLowerCase()) && seen.add(a.toLowerCase()) !== undefined);
}
