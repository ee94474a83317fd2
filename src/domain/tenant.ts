import type { ErrorObject, ValidateFunction } from "ajv";
import { loadWhenUsed } from "./load-when-used";
import schema from "./tenant.schema.json";

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

export const TENANT_SCHEMA: object = schema;

let validator: ValidateFunction | undefined;

/**
 * Checks a tenant record from untrusted JSON against tenant.schema.json (the one rule book for the import file, the
 * API and the CLI); returns the record (subscriptions lower-cased, status defaulted) or every problem found.
 */
export function validateTenant(value: unknown): { tenant?: Tenant; errors: string[] } {
  const Ajv = loadWhenUsed<typeof import("ajv")>("ajv").default;
  validator ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile(schema);
  if (!validator(value)) {
    const errors = (validator.errors ?? []).map(problem);
    return { errors: [...new Set(errors)] };
  }
  const v = value as Omit<Tenant, "status" | "usage"> & Partial<Pick<Tenant, "status" | "usage">>;
  const tenant: Tenant = {
    tenantId: v.tenantId,
    displayName: v.displayName,
    status: v.status ?? "active",
    subscriptions: (v.subscriptions ?? []).map((s) => s.toLowerCase()),
    approvers: [...(v.approvers ?? [])],
    usage: v.usage ?? 0,
  };
  if (v.quota !== undefined) tenant.quota = v.quota;
  if (v.tags) tenant.tags = { ...v.tags };
  if (v.teamsWebhookUrl) tenant.teamsWebhookUrl = v.teamsWebhookUrl;
  if (v.approvalChannels) tenant.approvalChannels = [...v.approvalChannels];
  return { tenant, errors: [] };
}

/** One problem in words a person can act on: the field, then what is wrong with it. */
function problem(e: ErrorObject): string {
  const at = e.instancePath.slice(1).replace(/\//g, ".");
  if (e.keyword === "required") return `${(e.params as { missingProperty: string }).missingProperty} is required`;
  if (e.keyword === "additionalProperties") {
    return `${at || "the record"} has an unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (e.keyword === "enum") {
    return `${at} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  }
  const description = (e.parentSchema as { description?: string } | undefined)?.description;
  if (e.keyword === "pattern" && description) {
    return `${at} must be ${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, "")}`;
  }
  return `${at || "the record"} ${e.message ?? "is invalid"}`;
}
