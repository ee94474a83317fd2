import { describe, expect, it } from "vitest";
import { retentionOrchestration, type RetentionReport } from "../../../src/workflow/retention.orchestration";
import { aConnectionId, anArmConnection } from "../../support/builders";
import { runOrchestration } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

const NOW = new Date("2026-03-01T00:00:00Z");
const OLD = "2026-01-01T00:00:00.000Z";
const RECENT = "2026-02-25T00:00:00.000Z";

async function estate() {
  const h = reviewHarness();
  const add = async (
    name: string,
    status: "Rejected" | "Approved" | "Disconnected",
    updatedAt: string,
    inArm = status,
  ) => {
    const connectionId = aConnectionId({ name });
    if (inArm) h.gateway.addConnection(anArmConnection({ connectionId, armStatus: inArm }));
    const state = status === "Approved" ? "approved" : status === "Rejected" ? "rejected" : "removed";
    await h.bookkeeping.saveConnection({
      connectionId,
      state,
      providerResourceId: connectionId.split("/privateEndpointConnections/")[0]!,
      azureStatus: status,
      updatedAt,
    });
    return connectionId;
  };
  return { h, add };
}

describe("retention", () => {
  it("deletes only Rejected and Disconnected connections older than the period, after reading ARM", async () => {
    const { h, add } = await estate();
    const oldRejected = await add("old-rejected", "Rejected", OLD);
    const oldDisconnected = await add("old-disconnected", "Disconnected", OLD);
    await add("recent-rejected", "Rejected", RECENT);
    await add("old-approved", "Approved", OLD);
    // Recorded Rejected, but approved by hand since: Azure is the truth, and it stays.
    const reapproved = await add("reapproved", "Rejected", OLD, "Approved");
    const result = await runOrchestration<RetentionReport>(retentionOrchestration, {
      instanceId: "retention:1",
      input: { retention: "P30D", limit: 10 },
      start: NOW,
      activities: h.activities,
    });
    expect(result.output?.deleted.sort()).toEqual([oldDisconnected, oldRejected].sort());
    expect(result.output?.kept).toEqual([reapproved]);
    expect(
      h.gateway.writes
        .filter((w) => w.method === "deleteConnection")
        .map((w) => w.connectionId)
        .sort(),
    ).toEqual([oldDisconnected, oldRejected].sort());
    expect(await h.bookkeeping.getConnection(oldRejected)).toMatchObject({
      state: "removed",
      deletedAt: expect.any(String),
    });
    expect(await h.bookkeeping.getConnection(reapproved)).toMatchObject({ azureStatus: "Approved" });
    const audit = (await h.bookkeeping.listAudit(oldRejected)).map((e) => e.message);
    expect(audit).toContain("Deleted the Rejected connection: older than the retention period P30D.");

    // A second run finds nothing left to do.
    const again = await runOrchestration<RetentionReport>(retentionOrchestration, {
      instanceId: "retention:2",
      input: { retention: "P30D", limit: 10 },
      start: NOW,
      activities: h.activities,
    });
    expect(again.output).toEqual({ deleted: [], absent: [], kept: [] });
  });

  it("stops at the per-run limit", async () => {
    const { h, add } = await estate();
    for (const n of [1, 2, 3]) await add(`old-${n}`, "Rejected", OLD);
    const result = await runOrchestration<RetentionReport>(retentionOrchestration, {
      instanceId: "retention:3",
      input: { retention: "P30D", limit: 2 },
      start: NOW,
      activities: h.activities,
    });
    expect(result.output?.deleted).toHaveLength(2);
  });
});
