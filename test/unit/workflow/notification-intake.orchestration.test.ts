import { describe, expect, it } from "vitest";
import { OrchestrationNames } from "../../../src/workflow/names";
import { createNotificationIntakeOrchestration } from "../../../src/workflow/notification-intake.orchestration";
import { aConnectionId, anArmConnection, aPrivateLinkServiceId } from "../../support/builders";
import { runOrchestration } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

const orchestration = createNotificationIntakeOrchestration({
  review: (id) => `review-${id}`,
  cleanup: (id) => `cleanup-${id}`,
});

describe("notification-intake orchestration", () => {
  it("starts work only for connections ARM lists, by ARM's status, never the notification's", async () => {
    const h = reviewHarness();
    const pending = anArmConnection({ connectionId: aConnectionId({ name: "pending" }) });
    const approved = anArmConnection({ connectionId: aConnectionId({ name: "approved" }), armStatus: "Approved" });
    const disconnected = anArmConnection({
      connectionId: aConnectionId({ name: "gone" }),
      armStatus: "Disconnected",
    });
    for (const c of [pending, approved, disconnected]) h.gateway.addConnection(c);
    const invented = Array.from({ length: 50 }, (_, i) => aConnectionId({ name: `invented-${i}` }));
    const started: { name: string; instanceId?: string }[] = [];

    const result = await runOrchestration(orchestration, {
      instanceId: "notify-1",
      input: {
        providerResourceId: aPrivateLinkServiceId(),
        // Named in any order and casing; the approved one was claimed Disconnected by the notification.
        connectionIds: [
          ...invented,
          pending.connectionId.toUpperCase(),
          approved.connectionId,
          disconnected.connectionId,
        ],
        observedAt: "2026-01-01T09:00:00.000Z",
        eventId: "evt-1",
      },
      activities: h.activities,
      subOrchestration: async (name, _input, instanceId) => {
        started.push({ name, ...(instanceId ? { instanceId } : {}) });
        return { state: "done" };
      },
    });

    expect(result.output).toMatchObject({
      notified: 53,
      reviews: [pending.connectionId],
      cleanups: [disconnected.connectionId],
      unknownToArm: 50,
    });
    expect(started).toEqual([
      { name: OrchestrationNames.connectionReview, instanceId: `review-${pending.connectionId}` },
      { name: OrchestrationNames.connectionCleanup, instanceId: `cleanup-${disconnected.connectionId}` },
    ]);
    expect(h.gateway.reads.map((r) => r.method)).toEqual(["listConnections"]);
    expect(h.bookkeeping.connections.size).toBe(0);
  });
});
