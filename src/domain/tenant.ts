import { isGuid } from "./guid";
import { stringMap } from "./safe-json";

export type TenantStatus = "active" | "suspended" | "offboarded";

/** A consumer tenant as bookkeeping records it. */
export interface Tenant {
  tenantId: string;
  displayName: string;
  status: TenantStatus;
  /** Consumer subscriptions that belong to this tenant (lower-case GUIDs). */
  subscriptions: string[];
  /** Who may approve this tenant's reviews (UPNs or object ids). */
  approvers: string[];
  /** Maximum number of approved connections; undefined = unlimited. */
  quota?: number;
  /** Currently approved connections. */
  usage: number;
  tags?: Record<string, string>;
  /** The tenant's own Teams Workflows webhook for approval cards (instead of TEAMS_WEBHOOK_URL). */
  teamsWebhookUrl?: string;
  /** How this tenant's approvers are asked (instead of APPROVAL_CHANNELS). */
  approvalChannels?: ApprovalChannel[];
}

export type ApprovalChannel = "teams" | "email";
export const APPROVAL_CHANNELS: readonly ApprovalChannel[] = ["teams", "email"];

/**
 * The tenant record a request belongs to: by the consumer's tenant id when the request carries one, otherwise by the
 * consumer subscription. Undefined when none matches (policy treats that as an unknown tenant).
 */
export function findTenant(
  tenants: readonly Tenant[],
  request: { consumerTenantId?: string; consumerSubscriptionId?: string },
): Tenant | undefined {
  const tid = request.consumerTenantId?.trim().toLowerCase();
  if (tid) return tenants.find((t) => t.tenantId.toLowerCase() === tid);
  const sub = request.consumerSubscriptionId?.trim().toLowerCase();
  if (!sub) return undefined;
  return tenants.find((t) => t.subscriptions.some((s) => s.toLowerCase() === sub));
}

const TENANT_STATUSES: readonly TenantStatus[] = ["active", "suspended", "offboarded"];

/** Checks a tenant record from untrusted JSON; returns the record (GUIDs lower-cased) or every problem found. */
export function validateTenant(value: unknown): { tenant?: Tenant; errors: string[] } {
  const errors: string[] = [];
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { errors: ["a tenant must be an object"] };
  const v = value as Record<string, unknown>;
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined);
  const tenantId = typeof own("tenantId") === "string" ? (own("tenantId") as string).trim().toLowerCase() : "";
  if (!isGuid(tenantId)) errors.push("tenantId must be a GUID");
  const displayName = own("displayName");
  if (typeof displayName !== "string" || displayName.length === 0) errors.push("displayName must be text");
  const status = own("status");
  if (!TENANT_STATUSES.includes(status as TenantStatus))
    errors.push(`status must be one of ${TENANT_STATUSES.join(", ")}`);
  const subs = own("subscriptions") ?? [];
  const subscriptions = Array.isArray(subs)
    ? subs.map((s) => (typeof s === "string" ? s.trim().toLowerCase() : ""))
    : [];
  if (!Array.isArray(subs) || !subscriptions.every((s) => isGuid(s)))
    errors.push("subscriptions must be a list of GUIDs");
  const approvers = own("approvers") ?? [];
  if (!Array.isArray(approvers) || !approvers.every((a) => typeof a === "string" && a.length > 0)) {
    errors.push("approvers must be a list of UPNs or object ids");
  }
  const quota = own("quota");
  if (quota !== undefined && (!Number.isInteger(quota) || (quota as number) < 0))
    errors.push("quota must be a whole number ≥ 0");
  const usage = own("usage") ?? 0;
  if (!Number.isInteger(usage) || (usage as number) < 0) errors.push("usage must be a whole number ≥ 0");
  const notify = tenantNotifySettings(v);
  errors.push(...notify.errors);
  if (errors.length > 0) return { errors };
  const tenant: Tenant = {
    tenantId,
    displayName: displayName as string,
    status: status as TenantStatus,
    subscriptions,
    approvers: [...(approvers as string[])],
    usage: usage as number,
  };
  if (quota !== undefined) tenant.quota = quota as number;
  const tags = stringMap(own("tags"));
  if (tags) tenant.tags = tags;
  Object.assign(tenant, notify.settings);
  return { tenant, errors };
}

/** A tenant record's own approval settings (Teams webhook, channels), checked; shared by every tenant reader. */
export function tenantNotifySettings(record: Record<string, unknown>): {
  settings: Pick<Tenant, "teamsWebhookUrl" | "approvalChannels">;
  errors: string[];
} {
  const errors: string[] = [];
  const hook = record.teamsWebhookUrl;
  if (hook !== undefined && (typeof hook !== "string" || !/^https:\/\/\S+$/.test(hook))) {
    errors.push("teamsWebhookUrl must be an https URL (the Teams Workflows webhook)");
  }
  const channels = record.approvalChannels;
  if (
    channels !== undefined &&
    (!Array.isArray(channels) ||
      channels.length === 0 ||
      !channels.every((c) => APPROVAL_CHANNELS.includes(c as ApprovalChannel)))
  ) {
    errors.push(`approvalChannels must list ${APPROVAL_CHANNELS.join(" and/or ")}`);
  }
  if (errors.length > 0) return { settings: {}, errors };
  return {
    settings: {
      ...(typeof hook === "string" ? { teamsWebhookUrl: hook } : {}),
      ...(Array.isArray(channels) ? { approvalChannels: [...(channels as ApprovalChannel[])] } : {}),
    },
    errors,
  };
}
