import { describe, expect, it } from "vitest";
import { evaluatePolicy, parsePolicy } from "../../../src/domain/policy";
import { aRequest } from "./request-mother";

const policy = (escalation: string) => `
schemaVersion: 1
rules: []
default:
  verdict: review
  reason: A person decides.
  review:
    approvers: [ops@contoso.example]
    deadline: PT48H
    ${escalation}
`;

describe("policy: escalation of a review", () => {
  it("carries the escalation contacts and time into the decision", () => {
    const parsed = parsePolicy(policy("escalation: { after: PT24H, to: [lead@contoso.example] }"));
    const decision = evaluatePolicy(parsed, { request: aRequest(), now: "2026-01-01T00:00:00Z" });
    expect(decision.review?.escalation).toEqual({ after: "PT24H", to: ["lead@contoso.example"] });
  });

  it("refuses an escalation at or after the deadline, and one with nobody to escalate to", () => {
    expect(() => parsePolicy(policy("escalation: { after: PT48H, to: [lead@contoso.example] }"))).toThrow(
      /escalation must fall after the start and before the deadline/,
    );
    expect(() => parsePolicy(policy("escalation: { after: PT1H, to: [] }"))).toThrow(/escalation/);
  });
});
