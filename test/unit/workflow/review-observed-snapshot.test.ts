import { describe, expect, it } from "vitest";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { ReviewInput, ReviewOutcome } from "../../../src/workflow/contracts";
import { anArmConnection, aTenant, anEndpoint } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

/** What intake already read stands in for the review's first read; the write still re-reads ARM first. */
const START = new Date("2026-01-01T09:00:00Z");
const connection = anArmConnection();

function estate() {
  const h = reviewHarness();
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  void h.bookkeeping.upsertTenant(aTenant());
  return h;
}

async function run(h: ReturnType<typeof reviewHarness>, input: ReviewInput): Promise<ReviewOutcome> {
  const options: DriverOptions = { instanceId: "review-1", input, activities: h.activities, start: START };
  const result = await runOrchestration<ReviewOutcome>(connectionReviewOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(connectionReviewOrchestration, options, result.history)).toEqual(result.output);
  return result.output!;
}

const base: ReviewInput = {
  connectionId: connection.connectionId,
  source: "event-grid",
  observedAt: "2026-01-01T08:59:50.000Z",
};
const fresh = (extra: Partial<NonNullable<ReviewInput["observed"]>> = {}): ReviewInput => ({
  ...base,
  observed: { at: "2026-01-01T08:59:50.000Z", connection, endpoint: anEndpoint(), ...extra },
});

describe("the review with what intake observed", () => {
  it("reads ARM once (status, right before the write) and not the endpoint again", async () => {
    const h = estate();
    const outcome = await run(h, fresh());

    expect(outcome).toMatchObject({ state: "approved", dnsRecords: [expect.objectContaining({ outcome: "created" })] });
    expect(h.gateway.reads).toEqual([{ method: "getConnection", id: connection.connectionId, detail: "status" }]);
  });

  it("reads the connection itself when the snapshot is stale or for another connection", async () => {
    for (const input of [
      fresh({ at: "2026-01-01T08:50:00.000Z" }),
      fresh({ connection: anArmConnection({ connectionId: `${connection.connectionId}-other` }) }),
    ]) {
      const h = estate();
      await run(h, input);
      expect(h.gateway.reads.map((r) => `${r.method}:${r.detail}`)).toEqual([
        "getConnection:with-provider",
        "getConnection:status",
      ]);
    }
  });

  it("never overwrites a connection someone approved by hand after the snapshot was taken", async () => {
    const h = estate();
    h.gateway.addConnection({ ...connection, armStatus: "Approved", description: "approved by a person" });
    const outcome = await run(h, fresh());

    expect(outcome.state).toBe("approved"); // the target status already holds: nothing to write
    expect(h.gateway.writes).toEqual([]);
    expect((await h.gateway.getConnection(connection.connectionId))?.description).toBe("approved by a person");
  });

  it("skips a connection deleted after the snapshot was taken, writing nothing", async () => {
    const h = estate();
    h.gateway.connections.clear();
    const outcome = await run(h, fresh());

    expect(outcome.state).toBe("skipped");
    expect(outcome.reason).toMatch(/ARM_NOT_FOUND/);
    expect(h.gateway.writes).toEqual([]);
  });

  it("reads the endpoint (NICs only when needed) when intake could not hand it on", async () => {
    const h = estate();
    await run(h, fresh({ endpoint: undefined }));
    expect(h.gateway.reads.filter((r) => r.method === "getPrivateEndpoint")).toEqual([
      { method: "getPrivateEndpoint", id: connection.privateEndpointId, detail: "with-nics" },
    ]);
  });
});
