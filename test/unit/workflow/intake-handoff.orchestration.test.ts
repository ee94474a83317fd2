import { describe, expect, it } from "vitest";
import {
  createEndpointIntakeOrchestration,
  INTAKE_RETRY_DELAYS_MS,
} from "../../../src/workflow/endpoint-intake.orchestration";
import { ActivityNames, OrchestrationNames } from "../../../src/workflow/names";
import { createNotificationIntakeOrchestration } from "../../../src/workflow/notification-intake.orchestration";
import {
  aConnectionId,
  anArmConnection,
  anEndpoint,
  anEndpointId,
  aPrivateLinkServiceId,
} from "../../support/builders";
import type { WorkflowContext, WorkflowGenerator } from "../../../src/workflow/workflow-context";
import { runOnDurableSdk } from "../../support/durable-sdk-host";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";

// What the two intakes hand to the reviews and clean-ups they start (the review records it as the request's
// source and claims), and what they report when ARM cannot be read. Activities are scripted.

const START = new Date("2026-01-01T09:00:00.000Z");
const OBSERVED = "2026-01-01T08:59:00.000Z";
/** When the read ended, on the orchestration's clock (each activity takes 1 s on the driver's). */
const READ_AT = "2026-01-01T09:00:01.000Z";

interface Started {
  name: string;
  input: unknown;
  instanceId?: string;
}

async function drive<T>(
  orchestrator: (context: WorkflowContext) => WorkflowGenerator<T>,
  input: unknown,
  activities: DriverOptions["activities"],
  child: (started: Started) => unknown = () => ({ state: "approved" }),
) {
  const started: Started[] = [];
  const options: DriverOptions = {
    instanceId: "intake-1",
    start: START,
    input,
    activities,
    subOrchestration: async (name, childInput, instanceId) => {
      const s = { name, input: childInput, ...(instanceId ? { instanceId } : {}) };
      started.push(s);
      return child(s);
    },
  };
  const result = await runOrchestration<T>(orchestrator, options);
  if (result.error) throw result.error;
  expect(replay(orchestrator, options, result.history)).toEqual(result.output);
  return { result, started };
}

describe("the endpoint intake", () => {
  const intake = createEndpointIntakeOrchestration((id) => `review:${id}`);
  const connection = anArmConnection();
  const resolved = { ok: true, value: { connections: [connection], endpoint: anEndpoint() } };

  it("hands the review the event's id and tenant claim, on the event's account", async () => {
    const { result, started } = await drive(
      intake,
      { privateEndpointId: anEndpointId(), observedAt: OBSERVED, eventId: "evt-9", claimsTenantId: "fabrikam" },
      { [ActivityNames.resolveEndpoint]: async () => resolved },
    );
    expect(started).toEqual([
      {
        name: OrchestrationNames.connectionReview,
        instanceId: `review:${connection.connectionId}`,
        input: {
          connectionId: connection.connectionId,
          source: "event-grid",
          observedAt: OBSERVED,
          eventId: "evt-9",
          claimsTenantId: "fabrikam",
          requestedBy: "event-grid",
          observed: { at: READ_AT, connection, endpoint: anEndpoint() },
        },
      },
    ]);
    expect(result.output).toEqual({
      privateEndpointId: anEndpointId(),
      connectionIds: [connection.connectionId],
      reviews: [{ connectionId: connection.connectionId, state: "approved" }],
    });
  });

  it("claims nothing the event did not say", async () => {
    const { started } = await drive(
      intake,
      { privateEndpointId: anEndpointId(), observedAt: OBSERVED },
      { [ActivityNames.resolveEndpoint]: async () => resolved },
    );
    expect(Object.keys(started[0]!.input as object)).not.toContain("eventId");
    expect(Object.keys(started[0]!.input as object)).not.toContain("claimsTenantId");
  });

  it("hands on the connection alone when the endpoint could not be read", async () => {
    const { started } = await drive(
      intake,
      { privateEndpointId: anEndpointId(), observedAt: OBSERVED },
      { [ActivityNames.resolveEndpoint]: async () => ({ ok: true, value: { connections: [connection] } }) },
    );
    expect((started[0]!.input as { observed: unknown }).observed).toEqual({ at: READ_AT, connection });
  });

  it("tries again after each of its growing pauses, then reports why it gave up", async () => {
    let calls = 0;
    const { result, started } = await drive(
      intake,
      { privateEndpointId: anEndpointId(), observedAt: OBSERVED },
      {
        [ActivityNames.resolveEndpoint]: async () => {
          calls += 1;
          throw new Error("ARM is down");
        },
      },
    );
    expect(started).toEqual([]);
    expect(result.output).toEqual({
      privateEndpointId: anEndpointId(),
      connectionIds: [],
      reviews: [],
      error: {
        code: "INTAKE_RETRIES_EXHAUSTED",
        message: expect.stringMatching(/^Gave up reading the endpoint: .*ARM is down/),
      },
    });
    expect(result.statuses).toEqual(
      INTAKE_RETRY_DELAYS_MS.map((_, i) => ({ step: "waiting-to-retry", attempt: i + 1 })),
    );
    // Each pause starts when the failed call (with the activity's own retries) ended, and lasts its delay.
    const fired = result.timersCreated.map((t) => t.getTime() - START.getTime());
    const callMs = fired[0]! - INTAKE_RETRY_DELAYS_MS[0]!;
    expect(callMs).toBeGreaterThanOrEqual(0);
    let clock = 0;
    expect(fired).toEqual(INTAKE_RETRY_DELAYS_MS.map((delay) => (clock += callMs + delay)));
    expect(calls).toBeGreaterThan(INTAKE_RETRY_DELAYS_MS.length);
  });

  it("reports a permanent answer at once, starting nothing", async () => {
    const { result, started } = await drive(
      intake,
      { privateEndpointId: anEndpointId(), observedAt: OBSERVED },
      { [ActivityNames.resolveEndpoint]: async () => ({ ok: false, code: "ARM_FORBIDDEN", message: "403" }) },
    );
    expect(started).toEqual([]);
    expect(result.timersCreated).toEqual([]);
    expect(result.output?.error).toEqual({ code: "ARM_FORBIDDEN", message: "403" });
  });
});

describe("the notification intake", () => {
  const intake = createNotificationIntakeOrchestration({
    review: (id) => `review:${id}`,
    cleanup: (id) => `cleanup:${id}`,
  });
  const pending = anArmConnection({ connectionId: aConnectionId({ name: "pending" }) });
  const gone = anArmConnection({ connectionId: aConnectionId({ name: "gone" }), armStatus: "Disconnected" });
  const input = (extra: Record<string, unknown> = {}) => ({
    providerResourceId: aPrivateLinkServiceId(),
    connectionIds: [pending.connectionId, gone.connectionId],
    observedAt: OBSERVED,
    ...extra,
  });
  const listed = { [ActivityNames.listNotifiedConnections]: async () => ({ ok: true, value: [pending, gone] }) };

  it("hands each review and clean-up the notification's id and what ARM listed", async () => {
    const { started } = await drive(intake, input({ eventId: "evt-7" }), listed);
    expect(started).toEqual([
      {
        name: OrchestrationNames.connectionReview,
        instanceId: `review:${pending.connectionId}`,
        input: {
          connectionId: pending.connectionId,
          source: "resource-notification",
          observedAt: OBSERVED,
          eventId: "evt-7",
          requestedBy: "resource-notification",
          observed: { at: READ_AT, connection: pending },
        },
      },
      {
        name: OrchestrationNames.connectionCleanup,
        instanceId: `cleanup:${gone.connectionId}`,
        input: {
          connectionId: gone.connectionId,
          reason: "Azure lists the connection Disconnected.",
          observedAt: OBSERVED,
          eventId: "evt-7",
        },
      },
    ]);
  });

  it("without an event id, names none", async () => {
    const { started } = await drive(intake, input(), listed);
    for (const s of started) expect(Object.keys(s.input as object)).not.toContain("eventId");
  });

  it("reports the work it started even when another path already runs it", async () => {
    const { result } = await drive(intake, input(), listed, () => {
      throw new Error("An instance with this id is already running.");
    });
    expect(result.output).toEqual({
      providerResourceId: aPrivateLinkServiceId(),
      notified: 2,
      reviews: [pending.connectionId],
      cleanups: [gone.connectionId],
      unknownToArm: 0,
    });
  });

  it("reports a listing it could not read and starts nothing", async () => {
    const { result, started } = await drive(intake, input(), {
      [ActivityNames.listNotifiedConnections]: async () => ({ ok: false, code: "ARM_FORBIDDEN", message: "403" }),
    });
    expect(started).toEqual([]);
    expect(result.output).toEqual({
      providerResourceId: aPrivateLinkServiceId(),
      notified: 2,
      reviews: [],
      cleanups: [],
      unknownToArm: 0,
      error: { code: "ARM_FORBIDDEN", message: "403" },
    });
  });
  it("with nothing to start, completes on durable-functions' own engine", async () => {
    const approved = anArmConnection({ armStatus: "Approved" });
    const result = await runOnDurableSdk(intake, {
      instanceId: "notify-sdk",
      input: input({ connectionIds: [approved.connectionId] }),
      start: START,
      activities: { [ActivityNames.listNotifiedConnections]: async () => ({ ok: true, value: [approved] }) },
    });
    expect(result.output).toEqual({
      providerResourceId: aPrivateLinkServiceId(),
      notified: 1,
      reviews: [],
      cleanups: [],
      unknownToArm: 0,
    });
  });
});
