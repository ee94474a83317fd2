/**
 * The same review generator on durable-functions' own replay engine: guards the parts the hand-written driver could
 * get wrong (Task.any over an event reused across reminder timers, cancelled timers, replayed currentUtcDateTime).
 */
import { describe, expect, it } from "vitest";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import { APPROVAL_EVENT } from "../../../src/workflow/names";
import { anArmConnection, anEndpoint } from "../../support/builders";
import { runOnDurableSdk } from "../../support/durable-sdk-host";
import { reviewHarness } from "../../support/review-harness";

const HOUR = 3_600_000;
const connection = anArmConnection();
const input = { connectionId: connection.connectionId, source: "event-grid", observedAt: "2026-01-01T08:59:00.000Z" };

function estate() {
  const h = reviewHarness();
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  return h;
}

describe("connection-review on the real durable-functions replay engine", () => {
  it("an approval raised after the first reminder wins over the deadline", async () => {
    const h = estate();
    const result = await runOnDurableSdk(connectionReviewOrchestration, {
      instanceId: "review-sdk-1",
      input,
      start: new Date("2026-01-01T09:00:00Z"),
      activities: h.activities,
      events: [
        { afterMs: 30 * HOUR, name: APPROVAL_EVENT, body: { decision: "approve", approver: "alice@contoso.example" } },
      ],
    });
    expect(result.output).toMatchObject({ state: "approved", decidedBy: "alice@contoso.example" });
    expect(h.teams.sent.map((s) => s.notice.kind)).toEqual(["request", "reminder"]);
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Approved"]);
    expect(result.customStatus).toMatchObject({ step: "done", state: "approved" });
  });

  it("with no decision, the deadline applies onDeadline (reject)", async () => {
    const h = estate();
    const result = await runOnDurableSdk(connectionReviewOrchestration, {
      instanceId: "review-sdk-2",
      input,
      start: new Date("2026-01-01T09:00:00Z"),
      activities: h.activities,
    });
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "policy:default" });
    expect(result.clock.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-01-03T09:00:00Z"));
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Rejected"]);
  });

  it("a malformed event, then a valid one, on the real engine", async () => {
    const h = estate();
    const result = await runOnDurableSdk(connectionReviewOrchestration, {
      instanceId: "review-sdk-3",
      input,
      start: new Date("2026-01-01T09:00:00Z"),
      activities: h.activities,
      events: [
        { afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "maybe" } },
        {
          afterMs: 2 * HOUR,
          name: APPROVAL_EVENT,
          body: { decision: "reject", approver: "bob@contoso.example", reason: "unknown" },
        },
      ],
    });
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "bob@contoso.example" });
  });
});
