import { describe, expect, it } from "vitest";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { ReviewInput, ReviewOutcome } from "../../../src/workflow/contracts";
import { ActivityNames } from "../../../src/workflow/names";
import { armConnectionOf } from "../../../src/workflow/recorded-connection";
import { anArmConnection, anEndpoint, aTenant } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

/** A snapshot as instances started before the `armStatus` name recorded it in their history. */
function asOlderVersionRecorded(connection = anArmConnection()): ReturnType<typeof anArmConnection> {
  const { armStatus, ...rest } = connection;
  return { ...rest, status: armStatus } as unknown as ReturnType<typeof anArmConnection>;
}

describe("ARM snapshots recorded by an older version", () => {
  it("reads `status` as armStatus, and leaves a current snapshot as it is", () => {
    const current = anArmConnection({ armStatus: "Approved" });
    expect(armConnectionOf(asOlderVersionRecorded(current))).toEqual(current);
    expect(armConnectionOf(current)).toBe(current);
  });

  it("a review started with an older snapshot takes the path it took before: approve, record the ARM status", async () => {
    const h = reviewHarness();
    const connection = anArmConnection();
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant());
    const input: ReviewInput = {
      connectionId: connection.connectionId,
      source: "event-grid",
      observedAt: "2026-01-01T08:59:50.000Z",
      observed: { at: "2026-01-01T08:59:50.000Z", connection: asOlderVersionRecorded(connection) },
    };
    const start = new Date("2026-01-01T09:00:00Z");
    const options: DriverOptions = { instanceId: "review-1", input, activities: h.activities, start };

    const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, options);

    expect(result.output).toMatchObject({ state: "approved" });
    expect(replay(connectionReviewOrchestration, options, result.history)).toEqual(result.output);
    expect((await h.bookkeeping.getConnection(connection.connectionId))?.azureStatus).toBe("Approved");
  });

  it("the tenant step scheduled by an older version records the status it was given", async () => {
    const h = reviewHarness();
    const connection = anArmConnection();
    const at = "2026-01-01T09:00:00.000Z";
    const { connectionId } = connection;
    await h.activities[ActivityNames.recordRequest]({
      instanceId: "review-1",
      connectionId,
      source: "sweep",
      observedAt: at,
      at,
    });
    await h.activities[ActivityNames.resolveTenant]({
      instanceId: "review-1",
      connection: asOlderVersionRecorded(connection),
      at,
    });
    expect((await h.bookkeeping.getConnection(connectionId))?.azureStatus).toBe("Pending");
  });
});
