import { describe, expect, it } from "vitest";
import { TransientError } from "../../../src/ports/errors";
import {
  createEndpointIntakeOrchestration,
  INTAKE_RETRY_DELAYS_MS,
} from "../../../src/workflow/endpoint-intake.orchestration";
import { OrchestrationNames } from "../../../src/workflow/names";
import { aConnectionId, anArmConnection, anEndpoint, anEndpointId } from "../../support/builders";
import { runOrchestration } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

const orchestration = createEndpointIntakeOrchestration((id) => `review-${id.length}`);

describe("endpoint-intake orchestration", () => {
  it("resolves a consumer endpoint to the connection it made on our resource and runs its review", async () => {
    const h = reviewHarness();
    const ours = anArmConnection();
    h.gateway.addConnection(ours);
    h.gateway.addConnection(
      anArmConnection({ connectionId: aConnectionId({ name: "other" }), privateEndpointId: anEndpointId("pe-2") }),
    );
    h.gateway.addEndpoint(anEndpoint());
    const started: { name: string; instanceId?: string; input: unknown }[] = [];
    const result = await runOrchestration(orchestration, {
      instanceId: "intake-1",
      input: {
        privateEndpointId: anEndpointId().toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"),
        observedAt: "2026-01-01T09:00:00.000Z",
      },
      activities: h.activities,
      subOrchestration: async (name, input, instanceId) => {
        started.push({ name, input, ...(instanceId ? { instanceId } : {}) });
        return { state: "approved" };
      },
    });
    expect(result.output?.connectionIds).toEqual([ours.connectionId]);
    expect(started).toEqual([
      {
        name: OrchestrationNames.connectionReview,
        instanceId: `review-${ours.connectionId.length}`,
        input: expect.objectContaining({ connectionId: ours.connectionId }),
      },
    ]);
  });

  it("hands what it read (the connection, the endpoint) to the review, so the review does not read them again", async () => {
    const h = reviewHarness();
    const ours = anArmConnection();
    h.gateway.addConnection(ours);
    h.gateway.addEndpoint(anEndpoint());
    const inputs: unknown[] = [];
    await runOrchestration(orchestration, {
      instanceId: "intake-4",
      input: { privateEndpointId: anEndpointId(), observedAt: "2026-01-01T09:00:00.000Z" },
      activities: h.activities,
      subOrchestration: async (_name, input) => {
        inputs.push(input);
        return { state: "approved" };
      },
    });
    expect(inputs).toEqual([
      expect.objectContaining({
        observed: { at: "2026-01-01T09:00:01.000Z", connection: ours, endpoint: anEndpoint() },
      }),
    ]);
    // One endpoint read (its NICs only because this endpoint has no customDnsConfigs) and one listing.
    expect(h.gateway.reads.map((r) => `${r.method}:${r.detail ?? ""}`)).toEqual([
      "getPrivateEndpoint:with-nics",
      "listConnections:",
    ]);
  });

  it("still runs reviews from the output of the older resolve activity (a list of ids) during replay", async () => {
    const h = reviewHarness();
    const ours = anArmConnection();
    const started: unknown[] = [];
    await runOrchestration(orchestration, {
      instanceId: "intake-5",
      input: { privateEndpointId: anEndpointId(), observedAt: "2026-01-01T09:00:00.000Z" },
      activities: {
        ...h.activities,
        "intake-resolve-endpoint": async () => ({ ok: true, value: [ours.connectionId] }),
      },
      subOrchestration: async (_name, input) => {
        started.push(input);
        return { state: "approved" };
      },
    });
    expect(started).toEqual([expect.not.objectContaining({ observed: expect.anything() })]);
    expect(started).toEqual([expect.objectContaining({ connectionId: ours.connectionId })]);
  });

  it("falls back to scanning managed resources when the endpoint is not readable, and tolerates a running review", async () => {
    const h = reviewHarness();
    const ours = anArmConnection();
    h.gateway.addConnection(ours);
    h.gateway.addEndpoint(anEndpoint(), { forbidden: true });
    const result = await runOrchestration(orchestration, {
      instanceId: "intake-2",
      input: { privateEndpointId: anEndpointId(), observedAt: "2026-01-01T09:00:00.000Z" },
      activities: h.activities,
      subOrchestration: async () => {
        throw new Error("An instance with this id is already running.");
      },
    });
    expect(result.output?.reviews).toEqual([{ connectionId: ours.connectionId, state: "already-running" }]);
  });

  it("an endpoint outside our managed resources starts nothing", async () => {
    const h = reviewHarness();
    h.gateway.addEndpoint(
      anEndpoint({
        targets: [
          {
            targetResourceId:
              "/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/x/providers/Microsoft.Network/privateLinkServices/theirs",
            groupIds: [],
          },
        ],
      }),
    );
    const result = await runOrchestration(orchestration, {
      instanceId: "intake-3",
      input: { privateEndpointId: anEndpointId(), observedAt: "2026-01-01T09:00:00.000Z" },
      activities: h.activities,
    });
    expect(result.output).toMatchObject({ connectionIds: [], reviews: [] });
  });

  it("a read that keeps failing after the activity's retries waits on a durable timer and tries again", async () => {
    const h = reviewHarness();
    const ours = anArmConnection();
    h.gateway.addConnection(ours);
    h.gateway.addEndpoint(anEndpoint());
    // Ten throttled answers: the first activity call exhausts its five tries, the second its next five.
    h.gateway.failNext(
      "getPrivateEndpoint",
      ...Array.from({ length: 10 }, () => new TransientError("ARM_THROTTLED", "429 without Retry-After")),
    );
    const started: unknown[] = [];
    const result = await runOrchestration(orchestration, {
      instanceId: "intake-6",
      input: { privateEndpointId: anEndpointId(), observedAt: "2026-01-01T09:00:00.000Z" },
      activities: h.activities,
      subOrchestration: async (_name, input) => {
        started.push(input);
        return { state: "approved" };
      },
    });
    expect(result.error).toBeUndefined();
    expect(result.timersCreated).toHaveLength(2);
    expect(result.output?.connectionIds).toEqual([ours.connectionId]);
    expect(started).toHaveLength(1);
  });

  it("gives up after a bounded number of durable retries, with a coded outcome rather than a failed instance", async () => {
    const h = reviewHarness();
    h.gateway.failNext(
      "getPrivateEndpoint",
      ...Array.from({ length: 100 }, () => new TransientError("ARM_THROTTLED", "429")),
    );
    const result = await runOrchestration(orchestration, {
      instanceId: "intake-7",
      input: { privateEndpointId: anEndpointId(), observedAt: "2026-01-01T09:00:00.000Z" },
      activities: h.activities,
    });
    expect(result.error).toBeUndefined();
    expect(result.timersCreated).toHaveLength(INTAKE_RETRY_DELAYS_MS.length);
    expect(result.output?.error?.code).toBe("INTAKE_RETRIES_EXHAUSTED");
  });
});
