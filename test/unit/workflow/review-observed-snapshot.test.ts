import { describe, expect, it } from "vitest";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { ReviewInput, ReviewOutcome } from "../../../src/workflow/contracts";
import { anArmConnection, aTenant, anEndpoint } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness, TEST_POLICY } from "../../support/review-harness";

/**
 * What intake already read stands in for the review's first read (a hint: what to record); policy judges ARM's state
 * as the step that writes reads it, right before the write.
 */
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
  it("reads ARM once (the resource with its connection, judged and written on) and not the endpoint again", async () => {
    const h = estate();
    const outcome = await run(h, fresh());

    expect(outcome).toMatchObject({ state: "approved", dnsRecords: [expect.objectContaining({ outcome: "created" })] });
    expect(h.gateway.reads).toEqual([
      { method: "getConnection", id: connection.connectionId, detail: "with-provider" },
    ]);
  });

  it("judges the provider resource's tags as ARM shows them at the write, not as the snapshot had them", async () => {
    const h = reviewHarness(
      TEST_POLICY.replace(
        "  - id: known-tenant",
        `  - id: production-needs-a-person
    when: { resource: { tags: { environment: production } } }
    then:
      verdict: review
      reason: Production; a person decides.
      review: { approvers: [ops@contoso.example], deadline: PT1H, reminders: [], onDeadline: reject }
  - id: known-tenant`,
      ),
    );
    // Tagged production after intake read it: the snapshot still shows the old tags.
    h.gateway.addConnection({ ...connection, providerResourceTags: { environment: "production" } });
    h.gateway.addEndpoint(anEndpoint());
    await h.bookkeeping.upsertTenant(aTenant());

    const outcome = await run(
      h,
      fresh({ connection: { ...connection, providerResourceTags: { environment: "test" } } }),
    );

    expect(h.gateway.writes.filter((w) => w.status === "Approved")).toEqual([]);
    expect(outcome).toMatchObject({ verdict: "review", ruleId: "production-needs-a-person", state: "rejected" });
  });

  it("reads the connection itself when the snapshot is stale or for another connection", async () => {
    for (const input of [
      fresh({ at: "2026-01-01T08:50:00.000Z" }),
      fresh({ connection: anArmConnection({ connectionId: `${connection.connectionId}-other` }) }),
    ]) {
      const h = estate();
      await run(h, input);
      // Its own first read (what to record), then the read policy judges and the write follows.
      expect(h.gateway.reads.map((r) => `${r.method}:${r.detail}`)).toEqual([
        "getConnection:with-provider",
        "getConnection:with-provider",
      ]);
    }
  });

  it("never overwrites a connection someone approved by hand after the snapshot was taken", async () => {
    const h = estate();
    h.gateway.addConnection({ ...connection, armStatus: "Approved", description: "approved by a person" });
    const outcome = await run(h, fresh());

    // Not this review's decision: nothing is written and the review does not claim it.
    expect(outcome).toMatchObject({ state: "skipped", reason: expect.stringContaining("CONNECTION_NOT_PENDING") });
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
