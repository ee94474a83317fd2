import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { logIntakeReport, withActivityLog } from "../../../functions/log-event";
import { reviewInstanceId } from "../../../src/app/instance-ids";
import { handleEventGridPayload } from "../../../src/app/intake-service";
import { TransientError } from "../../../src/ports/errors";
import { FakeOrchestrationClient } from "../../support/fake-orchestration-client";

/** An invocation context that keeps what is logged, per level, parsed back from the JSON line. */
function recordingContext(triggerMetadata: Record<string, unknown> = {}) {
  const entries: { level: string; entry: Record<string, unknown> }[] = [];
  const at = (level: string) => (line: unknown) =>
    void entries.push({ level, entry: JSON.parse(String(line)) as Record<string, unknown> });
  const context = {
    invocationId: "inv-1",
    functionName: "test",
    triggerMetadata,
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  } as unknown as InvocationContext;
  return { context, entries };
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, "..", "..", "fixtures", "events", name), "utf8"));

const CONNECTION =
  "/subscriptions/3f1c9a4e-5b7d-4e2a-9c61-0d8e7f6a5b41/resourcegroups/rg-provider/providers/Microsoft.Network/privateLinkServices/pls-orders/privateEndpointConnections/pe-orders.1b2c3d4e-0000-4000-8000-000000000abc";

describe("structured log entries", () => {
  it("an Event Grid delivery logs the event id, correlation id, connection and the instance it started", async () => {
    const intake = {
      client: new FakeOrchestrationClient(),
      managedScopes: ["/subscriptions/3f1c9a4e-5b7d-4e2a-9c61-0d8e7f6a5b41/resourceGroups/rg-provider"],
      selfPrincipalIds: [],
      hasRecordedConnections: () => Promise.resolve(false),
      log: () => undefined,
    };
    const report = await handleEventGridPayload(fixture("derived-pls-connection-write-operator.json"), intake);
    const { context, entries } = recordingContext();
    logIntakeReport(context, "d1000000-0000-4000-8000-000000000005", report);
    expect(entries).toEqual([
      {
        level: "info",
        entry: {
          event: "event",
          invocationId: "inv-1",
          signal: "connection-written",
          outcome: "review started",
          instanceId: reviewInstanceId(CONNECTION),
          eventId: "d1000000-0000-4000-8000-000000000005",
          correlationId: "2a0deb03-2a97-44c7-b992-61b28129d6c3",
          connectionId: CONNECTION,
        },
      },
    ]);
  });

  it("a payload that is no event logs one warning with its code", () => {
    const { context, entries } = recordingContext();
    logIntakeReport(context, "e-1", { status: "invalid", code: "EVENT_PAYLOAD_INVALID", actions: [] });
    expect(entries).toEqual([
      {
        level: "warn",
        entry: expect.objectContaining({ event: "event-invalid", eventId: "e-1", code: "EVENT_PAYLOAD_INVALID" }),
      },
    ]);
  });

  it("an activity run logs its name, instance, connection, verdict and rule", async () => {
    const { context, entries } = recordingContext();
    const decide = withActivityLog("decide", () =>
      Promise.resolve({ ok: true, value: { verdict: "approve", ruleId: "known-tenant-auto-approve" } }),
    );
    const result = await decide({ instanceId: "review-1", connectionId: CONNECTION }, context);
    expect(result).toEqual({ ok: true, value: { verdict: "approve", ruleId: "known-tenant-auto-approve" } });
    expect(entries).toEqual([
      {
        level: "info",
        entry: {
          event: "activity",
          invocationId: "inv-1",
          activity: "decide",
          instanceId: "review-1",
          connectionId: CONNECTION,
          outcome: "approve",
          ruleId: "known-tenant-auto-approve",
        },
      },
    ]);
  });

  it("an activity's permanent failure logs its code; a plain value logs ok", async () => {
    const { context, entries } = recordingContext({ instanceId: "from-metadata" });
    await withActivityLog("applyDecision", () => Promise.resolve({ ok: false, code: "ARM_FORBIDDEN", message: "no" }))(
      { privateEndpointId: "/pe" },
      context,
    );
    await withActivityLog("recordRequest", () => Promise.resolve(undefined))({ eventId: "e-2" }, context);
    expect(entries.map((e) => e.entry)).toEqual([
      expect.objectContaining({ activity: "applyDecision", instanceId: "from-metadata", privateEndpointId: "/pe" }),
      expect.objectContaining({ activity: "recordRequest", eventId: "e-2", outcome: "ok" }),
    ]);
    expect(entries[0]?.entry).toMatchObject({ outcome: "failed", code: "ARM_FORBIDDEN" });
  });

  it("a thrown error is logged as a warning with its code and thrown on, unchanged, for the retry policy", async () => {
    const { context, entries } = recordingContext();
    const busy = new TransientError("ARM_THROTTLED", "429");
    const run = withActivityLog("readConnection", () => Promise.reject(busy));
    await expect(run({ instanceId: "review-2", connectionId: CONNECTION }, context)).rejects.toBe(busy);
    const bug = withActivityLog("readConnection", () => Promise.reject(new Error("boom")));
    await expect(bug({}, context)).rejects.toThrow("boom");
    expect(entries).toEqual([
      {
        level: "warn",
        entry: expect.objectContaining({ instanceId: "review-2", outcome: "error", code: "ARM_THROTTLED" }),
      },
      { level: "warn", entry: expect.objectContaining({ outcome: "error", code: "UNEXPECTED", message: "boom" }) },
    ]);
  });
});
