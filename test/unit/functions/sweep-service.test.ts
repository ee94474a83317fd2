import { describe, expect, it } from "vitest";
import { sweep } from "../../../src/app/sweep-service";
import { InMemoryConnectionGateway } from "../../../src/ports/connection-gateway.in-memory";
import { TransientError } from "../../../src/ports/errors";
import { OrchestrationNames } from "../../../src/workflow/names";
import { aConnectionId, anArmConnection, aPrivateLinkServiceId } from "../../support/builders";
import { FakeOrchestrationClient } from "../../support/fake-orchestration-client";

const scope = "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/provider-rg";

function estate() {
  const gateway = new InMemoryConnectionGateway();
  gateway.resources.push({ id: aPrivateLinkServiceId(), type: "Microsoft.Network/privateLinkServices" });
  gateway.addConnection(anArmConnection({ connectionId: aConnectionId({ name: "pending" }) }));
  gateway.addConnection(anArmConnection({ connectionId: aConnectionId({ name: "approved" }), armStatus: "Approved" }));
  gateway.addConnection(anArmConnection({ connectionId: aConnectionId({ name: "gone" }), armStatus: "Disconnected" }));
  return gateway;
}

describe("sweep", () => {
  it("starts a review for each Pending connection only, and overlapping sweeps start nothing new", async () => {
    const gateway = estate();
    const client = new FakeOrchestrationClient();
    const d = { gateway, client, managedScopes: [scope], log: () => undefined, now: () => "2026-01-01T00:00:00Z" };
    const first = await sweep(d, "review");
    const second = await sweep(d, "review");
    expect(first).toMatchObject({ resources: 1, connections: 3, alreadyRunning: 0 });
    expect(first.started).toHaveLength(1);
    expect(second).toMatchObject({ started: [], alreadyRunning: 1 });
    expect(client.starts.map((s) => s.name)).toEqual([OrchestrationNames.connectionReview]);
  });

  it("hands the listed connection to the review as its first read", async () => {
    const client = new FakeOrchestrationClient();
    const now = () => "2026-01-01T00:00:00.000Z";
    await sweep({ gateway: estate(), client, managedScopes: [scope], log: () => undefined, now }, "review");
    expect(client.starts[0]?.input).toMatchObject({
      observed: { at: now(), connection: { connectionId: aConnectionId({ name: "pending" }), armStatus: "Pending" } },
    });
  });

  it("the clean-up sweep starts a clean-up for Disconnected connections", async () => {
    const client = new FakeOrchestrationClient();
    await sweep({ gateway: estate(), client, managedScopes: [scope], log: () => undefined, now: () => "t" }, "cleanup");
    expect(client.starts.map((s) => s.name)).toEqual([OrchestrationNames.connectionCleanup]);
  });

  it("a throttled read is tried again with back-off, and the connection is not lost", async () => {
    const gateway = estate();
    gateway.failNext(
      "listConnections",
      new TransientError("ARM_THROTTLED", "429"),
      new TransientError("ARM_THROTTLED", "429"),
    );
    const client = new FakeOrchestrationClient();
    const pauses: number[] = [];
    const report = await sweep(
      {
        gateway,
        client,
        managedScopes: [scope],
        log: () => undefined,
        now: () => "t",
        pause: async (ms) => void pauses.push(ms),
      },
      "review",
    );
    expect(report).toMatchObject({ retries: 2, errors: [] });
    expect(report.started).toHaveLength(1);
    expect(pauses).toEqual([2_000, 8_000]);
  });

  it("one scope unreadable after every retry is reported and does not stop the others", async () => {
    const gateway = estate();
    const busy = Array.from({ length: 4 }, () => new TransientError("ARM_UNAVAILABLE", "503"));
    gateway.failNext("listProviderResources", ...busy);
    const client = new FakeOrchestrationClient();
    const report = await sweep(
      {
        gateway,
        client,
        managedScopes: ["/subscriptions/00000000-0000-0000-0000-0000000000ff", scope],
        log: () => undefined,
        now: () => "t",
        pause: async () => undefined,
      },
      "review",
    );
    expect(report.errors).toHaveLength(1);
    expect(report.started).toHaveLength(1);
  });
});
