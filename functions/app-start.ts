import { app } from "@azure/functions";
import { importTenantsFromFile } from "../src/app/tenant-import";
import { getBookkeeping, tenantsImportPath } from "../src/composition-root";

/** TENANTS_IMPORT_FILE: import tenants at start, idempotently; bad records are reported and skipped. */
app.hook.appStart(async () => {
  try {
    const path = tenantsImportPath();
    if (!path) return;
    const report = await importTenantsFromFile(await getBookkeeping(), path);
    console.info(`Tenants imported: ${report.imported.length}; skipped: ${report.rejected.length}.`);
    for (const bad of report.rejected) console.warn(`Tenant record ${bad.index} skipped: ${bad.problems.join("; ")}.`);
  } catch (error) {
    // A bad import must not stop the app: the rest still works and /api/health shows config problems.
    console.error(`Tenant import failed: ${(error as Error).message}`);
  }
});
