import { readFile } from "node:fs/promises";
import { validateTenant } from "../domain/tenant";
import type { Bookkeeping } from "../ports/bookkeeping.port";

export interface TenantImportReport {
  /** Tenant ids that are valid and now stored (added now or kept as stored), in file order. */
  imported: string[];
  /** Records skipped, by their index in the file, with every problem found. */
  rejected: { index: number; problems: string[] }[];
}

/**
 * Seeds tenants idempotently: valid records not yet stored are added, stored ones are left as they are (the tenants
 * API owns changes, so a restart never undoes an operator's edit or offboarding), bad records are reported and skipped.
 */
export async function importTenants(bookkeeping: Bookkeeping, records: unknown[]): Promise<TenantImportReport> {
  const report: TenantImportReport = { imported: [], rejected: [] };
  const seen = new Set<string>();
  for (const [index, record] of records.entries()) {
    const { tenant, errors } = validateTenant(record);
    if (!tenant) {
      report.rejected.push({ index, problems: errors });
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
    if (!(await bookkeeping.getTenant(tenant.tenantId))) await bookkeeping.upsertTenant({ ...tenant, usage: 0 });
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
