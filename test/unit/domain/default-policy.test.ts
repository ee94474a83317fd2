import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluatePolicy, parsePolicy, POLICY_SCHEMA } from "../../../src/domain/policy";
import { parseConnectionRequest } from "../../../src/domain/request-input";
import { findTenant, validateTenant, type Tenant } from "../../../src/domain/tenant";

const root = path.resolve(__dirname, "../../..");
const read = (...p: string[]) => readFileSync(path.join(root, ...p), "utf8");
const policy = parsePolicy(read("policy/default-policy.yaml"));
const tenants = (JSON.parse(read("test/fixtures/requests/tenants.json")) as unknown[]).map(
  (t) => validateTenant(t).tenant as Tenant,
);
const NOW = "2026-03-02T09:30:00Z";

function decide(file: string, change: Record<string, unknown> = {}) {
  const body = { ...(JSON.parse(read("test/fixtures/requests", file)) as object), ...change };
  const request = parseConnectionRequest(body, { source: "cli", observedAt: NOW });
  const tenant = findTenant(tenants, request);
  return evaluatePolicy(policy, { request, ...(tenant ? { tenant } : {}), now: NOW });
}

describe("the shipped policy (policy/default-policy.yaml)", () => {
  it("publishes the schema the engine validates with", () => {
    expect(JSON.parse(read("policy/policy.schema.json"))).toEqual(POLICY_SCHEMA);
  });

  it.each([
    ["known-tenant-approve", "approve", "known-tenant-auto-approve"],
    ["production-with-ticket-approve", "approve", "known-tenant-auto-approve"],
    ["production-without-ticket-reject", "reject", "production-needs-change-ticket"],
    ["quota-exceeded-review", "review", "tenant-quota-exceeded"],
    ["suspended-tenant-reject", "reject", "tenant-suspended-or-offboarded"],
    ["offboarded-tenant-reject", "reject", "tenant-suspended-or-offboarded"],
    ["unknown-tenant-review", "review", "default"],
    ["unregistered-subscription-review", "review", "default"],
  ])("%s.request.json → %s by %s", (name, verdict, ruleId) => {
    const d = decide(`${name}.request.json`);
    expect(d).toMatchObject({ verdict, ruleId, policyVersion: policy.version });
    expect(d.trace.at(-1)).toMatchObject({ ruleId, matched: true });
    expect(d.trace.slice(0, -1).every((t) => !t.matched)).toBe(true);
  });

  it("tells the consumer how to get a production connection approved", () => {
    expect(decide("production-without-ticket-reject.request.json").reason).toMatch(/CHG.*request message/);
  });

  it.each([
    ["CHG0000000", "all zeros"],
    ["no ticket; see notCHG1234567x", "inside a longer word"],
    ["CHG00123456", "eight digits"],
    ["chg0012345", "lower case"],
    ["CHG-0012345", "a separator inside the number"],
  ])("refuses %j as a change ticket on a production resource (%s)", (requestMessage) => {
    const d = decide("production-with-ticket-approve.request.json", { requestMessage });
    expect(d).toMatchObject({ verdict: "reject", ruleId: "production-needs-change-ticket" });
  });

  it.each(["CHG0012345", "Reporting access, CHG0012345.", "(CHG9999999) reporting", "CHG0000001: replica"])(
    "takes %j as a change ticket on a production resource",
    (requestMessage) => {
      const d = decide("production-with-ticket-approve.request.json", { requestMessage });
      expect(d).toMatchObject({ verdict: "approve", ruleId: "known-tenant-auto-approve" });
    },
  );

  it("asks the platform team and the tenant's approvers when quota is exhausted, rejecting on silence", () => {
    expect(decide("quota-exceeded-review.request.json").review).toEqual({
      approvers: ["platform-team@contoso.example", "lead@fabrikam.example"],
      deadline: "PT48H",
      reminders: ["PT24H", "PT40H"],
      onDeadline: "reject",
    });
  });

  it("never approves an unknown tenant, whatever it asks for", () => {
    const d = decide("unknown-tenant-review.request.json");
    expect(d.review).toMatchObject({ onDeadline: "reject", deadline: "PT72H" });
    expect(d.trace.map((t) => t.ruleId)).toEqual([
      "tenant-suspended-or-offboarded",
      "production-needs-change-ticket",
      "tenant-quota-exceeded",
      "known-tenant-auto-approve",
      "default",
    ]);
  });
});
