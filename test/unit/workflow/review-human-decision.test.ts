import { describe, expect, it } from "vitest";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { ReviewOutcome, ReviewProgress } from "../../../src/workflow/contracts";
import { APPROVAL_EVENT } from "../../../src/workflow/names";
import { anArmConnection, anEndpoint } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness, TEST_POLICY } from "../../support/review-harness";

const HOUR = 3_600_000;
const connection = anArmConnection();
const ESCALATING = TEST_POLICY.replace(
  "reminders: [PT24H]",
  "reminders: [PT24H]\n    escalation: { after: PT30H, to: [lead@contoso.example] }",
);

async function review(events: DriverOptions["events"], policy = TEST_POLICY) {
  const h = reviewHarness(policy);
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  const options: DriverOptions = {
    instanceId: "review-h",
    input: { connectionId: connection.connectionId, source: "http", observedAt: "2026-01-01T08:59:00.000Z" },
    activities: h.activities,
    events,
  };
  const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(connectionReviewOrchestration, options, result.history)).toEqual(result.output);
  const audit = (await h.bookkeeping.listAudit(connection.connectionId)).map((e) => e.message);
  return { h, result, audit };
}

describe("a person's decision in the review", () => {
  it("refuses an event from someone the review did not ask (a system key is not an approver) and keeps waiting", async () => {
    const { h, result, audit } = await review([
      { afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "mallory@contoso.example" } },
      {
        afterMs: 2 * HOUR,
        name: APPROVAL_EVENT,
        body: { decision: "approve", approver: "OPS@contoso.example", reason: "Known partner", via: "page" },
      },
    ]);
    expect(result.output).toMatchObject({ state: "approved", decidedBy: "OPS@contoso.example" });
    expect(audit.some((m) => m.includes("mallory@contoso.example is not among this review's approvers"))).toBe(true);
    expect(audit).toContain("approve (event via page): Known partner");
    expect(h.gateway.writes.map((w) => w.description)).toEqual([
      "Approved by OPS@contoso.example (rule default): Known partner",
    ]);
  });

  it("lists who may decide in its status, and adds the escalation contact once escalated", async () => {
    const { result, h } = await review(
      [{ afterMs: 31 * HOUR, name: APPROVAL_EVENT, body: { decision: "reject", approver: "lead@contoso.example" } }],
      ESCALATING,
    );
    const waiting = (result.statuses as ReviewProgress[])
      .filter((s) => s.step === "awaiting-approval")
      .map((s) => s.approvers);
    expect(waiting).toContainEqual(["ops@contoso.example", "alice@contoso.example", "bob@contoso.example"]);
    expect(waiting.at(-1)).toContain("lead@contoso.example");
    expect(h.teams.sent.map((s) => s.notice.kind)).toEqual(["request", "reminder", "escalation"]);
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "lead@contoso.example" });
  });

  it("refuses the escalation contact before the escalation", async () => {
    const { result } = await review(
      [{ afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "lead@contoso.example" } }],
      ESCALATING,
    );
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "policy:default" });
  });
});
