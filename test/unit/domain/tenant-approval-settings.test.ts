import { describe, expect, it } from "vitest";
import { validateTenantRecord } from "../../../src/app/tenant-import";
import { validateTenant } from "../../../src/domain/tenant";

const base = {
  tenantId: "20000000-0000-0000-0000-000000000002",
  displayName: "Fabrikam",
  status: "active",
  subscriptions: [],
  approvers: ["owner@fabrikam.example"],
};

describe("a tenant's own approval settings", () => {
  it("keeps its Teams webhook and channels, from the API and from the import file alike", () => {
    const own = { teamsWebhookUrl: "https://prod.westeurope.logic.azure.com/workflows/x", approvalChannels: ["teams"] };
    expect(validateTenant({ ...base, ...own }).tenant).toMatchObject(own);
    expect(validateTenantRecord({ ...base, ...own }).tenant).toMatchObject(own);
  });

  it("refuses a webhook that is not https and an unknown channel", () => {
    const bad = { ...base, teamsWebhookUrl: "http://hook.example", approvalChannels: ["pager"] };
    expect(validateTenant(bad).errors).toEqual([
      "teamsWebhookUrl must be an https URL (the Teams Workflows webhook)",
      "approvalChannels must list teams and/or email",
    ]);
    expect(validateTenantRecord(bad).problems).toHaveLength(2);
  });
});
