import { describe, expect, it } from "vitest";
import { validateTenant } from "../../../src/domain/tenant";

const base = {
  tenantId: "20000000-0000-0000-0000-000000000002",
  displayName: "Fabrikam",
  status: "active",
  subscriptions: [],
  approvers: ["owner@fabrikam.example"],
};

// One schema serves the import file, the API and the CLI alike.
describe("a tenant's own approval settings", () => {
  it("keeps its Teams webhook and channels", () => {
    const own = { teamsWebhookUrl: "https://prod.westeurope.logic.azure.com/workflows/x", approvalChannels: ["teams"] };
    expect(validateTenant({ ...base, ...own }).tenant).toMatchObject(own);
  });

  it("refuses a webhook that is not https and an unknown channel", () => {
    const bad = { ...base, teamsWebhookUrl: "http://hook.example", approvalChannels: ["pager"] };
    const { errors } = validateTenant(bad);
    expect(errors.some((e) => e.startsWith("teamsWebhookUrl"))).toBe(true);
    expect(errors.some((e) => e.startsWith("approvalChannels"))).toBe(true);
  });
});
