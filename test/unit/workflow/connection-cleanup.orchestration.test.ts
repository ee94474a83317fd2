import { describe, expect, it } from "vitest";
import { connectionCleanupOrchestration } from "../../../src/workflow/connection-cleanup.orchestration";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { CleanupInput, ReviewInput } from "../../../src/workflow/contracts";
import { anArmConnection, aTenant, anEndpoint, anEndpointId } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

const connection = anArmConnection();

async function approvedEstate() {
  const h = reviewHarness();
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  await h.bookkeeping.upsertTenant(aTenant());
  const review: ReviewInput = {
    connectionId: connection.connectionId,
    source: "sweep",
    observedAt: "2026-01-01T09:00:00.000Z",
  };
  const result = await runOrchestration(connectionReviewOrchestration, {
    instanceId: "review-1",
    input: review,
    activities: h.activities,
  });
  expect(result.output?.state).toBe("approved");
  // Someone else's record in the same zone must survive the clean-up.
  h.dns.put({
    zone: "privatelink.services.contoso.example",
    name: "fabrikam.pls-1",
    ipAddresses: ["10.2.0.4"],
    ownerEndpoint: "/other",
  });
  return h;
}

async function cleanup(h: ReturnType<typeof reviewHarness>, input: CleanupInput, twice = false) {
  const options: DriverOptions = {
    instanceId: "cleanup-1",
    input,
    activities: h.activities,
    runActivitiesTwice: twice,
  };
  const result = await runOrchestration(connectionCleanupOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(connectionCleanupOrchestration, options, result.history)).toEqual(result.output);
  return result.output!;
}

describe("connection-cleanup orchestration", () => {
  it("endpoint deleted: removes our DNS record only, deletes the dead connection, releases the quota", async () => {
    const h = await approvedEstate();
    h.gateway.addConnection({ ...connection, armStatus: "Disconnected" });
    const output = await cleanup(h, {
      privateEndpointId: anEndpointId(),
      reason: "The consumer deleted its private endpoint.",
      observedAt: "2026-01-05T00:00:00.000Z",
    });

    expect(output.cleaned).toEqual([
      { connectionId: connection.connectionId, dnsRemoved: 1, dnsKept: 0, providerConnection: "deleted" },
    ]);
    expect([...h.dns.records.values()].map((r) => r.name)).toEqual(["fabrikam.pls-1"]);
    expect(await h.gateway.getConnection(connection.connectionId)).toBeUndefined();
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toMatchObject({
      state: "removed",
      azureStatus: "Disconnected",
    });
    expect((await h.bookkeeping.getTenant("contoso"))?.usage).toBe(0);
  });

  it("is idempotent: running it again, or each activity twice, changes nothing more", async () => {
    const h = await approvedEstate();
    h.gateway.endpoints.clear(); // the consumer deleted its endpoint: ARM answers 404 for it
    const input: CleanupInput = {
      privateEndpointId: anEndpointId(),
      reason: "deleted",
      observedAt: "2026-01-05T00:00:00.000Z",
    };
    await cleanup(h, input, true);
    const auditAfterFirst = await h.bookkeeping.listAudit(connection.connectionId);
    const again = await cleanup(h, input, true);
    expect(again.cleaned[0]).toMatchObject({ providerConnection: "absent" });
    expect(await h.bookkeeping.listAudit(connection.connectionId)).toEqual(auditAfterFirst);
    expect(h.gateway.writes.filter((w) => w.method === "deleteConnection")).toHaveLength(1);
  });

  it("a connection id alone (found Disconnected) keeps an Approved connection and records it", async () => {
    const h = await approvedEstate();
    const output = await cleanup(h, {
      connectionId: connection.connectionId,
      reason: "sweep saw Disconnected",
      observedAt: "2026-01-05T00:00:00.000Z",
    });
    expect(output.cleaned).toEqual([]);
    expect(output.kept).toEqual([
      { connectionId: connection.connectionId, why: "ARM shows the connection Approved and its endpoint alive" },
    ]);
    expect(h.gateway.writes.filter((w) => w.method === "deleteConnection")).toEqual([]);
  });

  // Late and forged "gone" signals: ARM shows the connection alive, so nothing at all changes.
  it.each([
    ["a late endpoint-deleted event after the endpoint was re-created", { privateEndpointId: anEndpointId() }],
    ["a forged connection-deleted event", { connectionId: connection.connectionId }],
  ])("%s deletes nothing while ARM shows a live endpoint", async (_name, target) => {
    const h = await approvedEstate();
    const rowBefore = await h.bookkeeping.getConnection(connection.connectionId);
    const recordsBefore = [...h.dns.records.values()];

    const output = await cleanup(h, { ...target, reason: "signal", observedAt: "2026-01-05T00:00:00.000Z" });

    expect(output.cleaned).toEqual([]);
    expect(output.kept).toHaveLength(1);
    expect(h.gateway.writes.filter((w) => w.method === "deleteConnection")).toEqual([]);
    expect([...h.dns.records.values()]).toEqual(recordsBefore);
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toEqual(rowBefore);
    expect((await h.bookkeeping.getTenant("contoso"))?.usage).toBe(1);
  });

  it("a connection that comes back between the confirmation and the delete keeps its DNS, row and quota", async () => {
    const h = await approvedEstate();
    h.gateway.endpoints.clear();
    h.gateway.connections.clear(); // gone when the clean-up confirms...
    const remove = h.activities["cleanup-delete-provider-connection"];
    const activities = {
      ...h.activities,
      // ...and re-created by the consumer (same name, same ids) just before the delete step.
      "cleanup-delete-provider-connection": async (input: never) => {
        h.gateway.addConnection({ ...connection, armStatus: "Pending" });
        h.gateway.addEndpoint(anEndpoint());
        return remove(input);
      },
    };
    const recordsBefore = [...h.dns.records.values()];

    const output = await runOrchestration(connectionCleanupOrchestration, {
      instanceId: "cleanup-2",
      input: { privateEndpointId: anEndpointId(), reason: "late", observedAt: "2026-01-05T00:00:00.000Z" },
      activities,
    });

    expect(output.output?.cleaned).toEqual([]);
    expect(h.gateway.writes.filter((w) => w.method === "deleteConnection")).toEqual([]);
    expect([...h.dns.records.values()]).toEqual(recordsBefore);
    expect((await h.bookkeeping.getConnection(connection.connectionId))?.state).toBe("approved");
    expect((await h.bookkeeping.getTenant("contoso"))?.usage).toBe(1);
  });

  it("an endpoint ARM cannot read is not taken for gone (fail closed)", async () => {
    const h = await approvedEstate();
    h.gateway.addEndpoint(anEndpoint(), { forbidden: true });
    const output = await cleanup(h, {
      privateEndpointId: anEndpointId(),
      reason: "signal",
      observedAt: "2026-01-05T00:00:00.000Z",
    });
    expect(output.cleaned).toEqual([]);
    expect(output.kept[0]?.why).toContain("could not be read");
    expect((await h.bookkeeping.getConnection(connection.connectionId))?.state).toBe("approved");
  });
});
