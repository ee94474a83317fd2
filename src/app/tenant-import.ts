import { readFile } from "node:fs/promises";
import { tenantNotifySettings, type Tenant, type TenantStatus } from "../domain/tenant";
import type { Bookkeeping } from "../ports/bookkeeping.port";

export interface TenantImportReport {
  /** Tenant ids written, in file order. */
  imported: string[];
  /** Records skipped, by their index in the file, with every problem found. */
  rejected: { index: number; problems: string[] }[];
}

const STATUSES: readonly TenantStatus[] = ["active", "suspended", "offboarded"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks one record; returns the tenant or the list of problems. usage is never imported (it is counted). */
export function validateTenantRecord(record: unknown): { tenant?: Tenant; problems: string[] } {
  const problems: string[] = [];
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return { problems: ["the record is not an object"] };
  }
  const r = record as Record<string, unknown>;
  const isText = (v: unknown, max = 256): v is string => typeof v === "string" && v.trim() !== "" && v.length <= max;
  if (!isText(r.tenantId, 128) || !/^[A-Za-z0-9._-]+$/.test(r.tenantId)) {
    problems.push("tenantId must be a non-empty id of letters, digits, '.', '_' or '-'");
  }
  if (!isText(r.displayName)) problems.push("displayName must be non-empty text (at most 256 characters)");
  const status = r.status ?? "active";
  if (!STATUSES.includes(status as TenantStatus)) problems.push(`status must be one of ${STATUSES.join(", ")}`);
  const subscriptions = r.subscriptions ?? [];
  if (!Array.isArray(subscriptions) || !subscriptions.every((s) => typeof s === "string" && GUID.test(s))) {
    problems.push("subscriptions must be a list of subscription GUIDs");
  }
  const approvers = r.approvers ?? [];
  if (!Array.isArray(approvers) || !approvers.every((a) => isText(a))) {
    problems.push("approvers must be a list of UPNs or object ids");
  }
  if (r.quota !== undefined && !(Number.isInteger(r.quota) && (r.quota as number) >= 0)) {
    problems.push("quota must be a whole number ≥ 0 (or left out for no limit)");
  }
  if (
    r.tags !== undefined &&
    (typeof r.tags !== "object" || r.tags === null || !Object.values(r.tags).every((v) => typeof v === "string"))
  ) {
    problems.push("tags must map names to text");
  }
  const notify = tenantNotifySettings(r);
  problems.push(...notify.errors);
  if (problems.length > 0) return { problems };
  return {
    problems,
    tenant: {
      tenantId: r.tenantId as string,
      displayName: r.displayName as string,
      status: status as TenantStatus,
      subscriptions: (subscriptions as string[]).map((s) => s.toLowerCase()),
      approvers: approvers as string[],
      ...(r.quota !== undefined ? { quota: r.quota as number } : {}),
      usage: 0,
      ...(r.tags !== undefined ? { tags: r.tags as Record<string, string> } : {}),
      ...notify.settings,
    },
  };
}

/** Imports tenants idempotently: valid records are upserted (usage kept), bad ones reported and skipped. */
export async function importTenants(bookkeeping: Bookkeeping, records: unknown[]): Promise<TenantImportReport> {
  const report: TenantImportReport = { imported: [], rejected: [] };
  const seen = new Set<string>();
  for (const [index, record] of records.entries()) {
    const { tenant, problems } = validateTenantRecord(record);
    if (!tenant) {
      report.rejected.push({ index, problems });
      continue;
    }
    if (seen.has(tenant.tenantId.toLowerCase())) {
      report.rejected.push({
        index,
        problems: [`tenantId ${tenant.tenantId} appears twice; the first record was kept`],
      });
      continue;
    }
    seen.add(tenant.tenantId.toLowerCase());
    await bookkeeping.upsertTenant(tenant);
    report.imported.push(tenant.tenantId);
  }
  return report;
}

/** Reads a JSON array of tenants (TENANTS_IMPORT_FILE) and imports it. Throws with a clear reason if unreadable. */
export async function importTenantsFromFile(bookkeeping: Bookkeeping, path: string): Promise<TenantImportReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(
      `TENANTS_IMPORT_FILE ${path} could not be read as JSON (${(error as Error).message}); fix the file or clear the setting.`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw new Error(`TENANTS_IMPORT_FILE ${path} must hold a JSON array of tenants.`);
  }
  return importTenants(bookkeeping, parsed);
}
