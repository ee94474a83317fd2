import { encodeKey, tryParseArmId } from "../../domain/arm-id";
import { formatUtc } from "../../domain/format-utc";
import type { ApprovalNotice } from "../../ports/notifier.port";

/** The facts every channel shows, in one order, so a card and a mail never disagree. */
export interface NoticeFacts {
  title: string;
  /** "Rejected automatically on 2 Dec 2026 14:00 UTC if nobody decides." */
  deadlineLine: string;
  facts: { label: string; value: string }[];
  /** What to do when there is no link to follow (a time-bound approval: how to renew it). */
  instead?: string;
}

const TITLES: Record<ApprovalNotice["kind"], string> = {
  request: "Private endpoint connection waiting for approval",
  reminder: "Reminder: private endpoint connection still waiting for approval",
  escalation: "Escalated: private endpoint connection waiting for approval",
  expiring: "Ending soon: approval of a private endpoint connection",
};

export function noticeFacts(notice: ApprovalNotice): NoticeFacts {
  const r = notice.request;
  const name = (id: string | undefined): string => (id ? (tryParseArmId(id)?.name ?? id) : "unknown");
  const outcome = notice.onDeadline === "approve" ? "Approved" : "Rejected";
  const expiring = notice.kind === "expiring";
  return {
    title: TITLES[notice.kind],
    deadlineLine: expiring
      ? `The approval ends on ${formatUtc(notice.deadline)}: the connection is then rejected and its DNS records removed, unless an approver renews it.`
      : `${outcome} automatically on ${formatUtc(notice.deadline)} if nobody decides.`,
    ...(expiring
      ? {
          instead: `To keep it, an Approver renews it: POST /api/connections/${encodeKey(r.connectionId)}/renew, or the CLI: renew ${r.connectionId}.`,
        }
      : {}),
    facts: [
      { label: "Tenant", value: notice.tenantName ?? "unknown tenant" },
      { label: "Consumer subscription", value: r.consumerSubscriptionId ?? "unknown" },
      { label: "Private endpoint", value: name(r.privateEndpointId) },
      { label: "Resource", value: `${name(r.providerResourceId)} (${r.providerResourceType})` },
      { label: "Group id", value: r.groupIds.join(", ") || "none" },
      { label: "Request message", value: r.requestMessage?.trim() || "(none)" },
      { label: "Policy", value: `rule ${notice.policy.ruleId}, policy ${notice.policy.version}` },
      { label: "Why a person decides", value: notice.policy.reason },
    ],
  };
}

export function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
