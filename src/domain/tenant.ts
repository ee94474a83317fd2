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
}
