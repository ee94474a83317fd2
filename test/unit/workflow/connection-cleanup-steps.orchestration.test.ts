import { describe, expect, it } from "vitest";
import { connectionCleanupOrchestration } from "../../../src/workflow/connection-cleanup.orchestration";
import type { CleanupOutcome } from "../../../src/workflow/contracts";
import { ActivityNames } from "../../../src/workflow/names";
import { replay, runOrchestration, type ActivityHandler, type DriverOptions } from "../../support/orchestration-driver";

// The clean-up's steps from scripted activities: what each target ends as in the output (cleaned, kept with why,
// failed with a code), what the row's reason says, and the status an operator sees at each step.

const START = new Date("2026-01-05T00:00:00.000Z");
const target = (id: string) => ({ connectionId: id, privateEndpointId: `/pe/${id}`, dnsRecords: [] });

async function cleanup(activities: Record<string, ActivityHandler>) {
  const calls: { name: string; input: unknown }[] = [];
  const recorded =
    (name: string, handler: ActivityHandler): ActivityHandler =>
    async (input: never) => {
      calls.push({ name, input });
      return handler(input);
    };
  const options: DriverOptions = {
    instanceId: "cleanup-1",
    start: START,
    input: { privateEndpointId: "/pe/x", reason: "The consumer deleted its private endpoint.", observedAt: "t" },
    activities: Object.fromEntries(Object.entries(activities).map(([name, h]) => [name, recorded(name, h)])),
  };
  const result = await runOrchestration<CleanupOutcome>(connectionCleanupOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(connectionCleanupOrchestration, options, result.history)).toEqual(result.output);
  return { result, calls };
}

const gone = async () => ({ gone: true, endpointGone: true, why: "ARM answers 404 for the private endpoint" });
const none = async () => null;

describe("the clean-up's steps", () => {
  it("records why it was cleaned up, at the orchestration's time, and shows each step", async () => {
    const { result, calls } = await cleanup({
      [ActivityNames.findEndpointConnections]: async () => [target("a")],
      [ActivityNames.confirmGone]: gone,
      [ActivityNames.deleteProviderConnection]: async () => ({ ok: true, value: "deleted" }),
      [ActivityNames.removeDns]: async () => ({ removed: 1, kept: 0 }),
      [ActivityNames.recordRemoval]: none,
    });
    expect(calls.find((c) => c.name === ActivityNames.recordRemoval)?.input).toEqual({
      instanceId: "cleanup-1",
      target: target("a"),
      reason: "The consumer deleted its private endpoint. Confirmed: ARM answers 404 for the private endpoint.",
      providerConnection: "deleted",
      at: expect.stringMatching(/^2026-01-05T00:00:0\d\.000Z$/),
    });
    for (const c of calls.slice(1)) expect(c.input).toHaveProperty("at");
    expect(result.output).toEqual({
      cleaned: [{ connectionId: "a", dnsRemoved: 1, dnsKept: 0, providerConnection: "deleted" }],
      kept: [],
      failures: [],
    });
    expect(result.statuses).toEqual([
      { step: "finding-connections" },
      { step: "confirming", connectionId: "a" },
      { step: "cleaning", connectionId: "a" },
      { step: "done" },
    ]);
  });

  it("keeps a connection ARM shows alive at deletion, touching neither its DNS nor its row", async () => {
    const { result, calls } = await cleanup({
      [ActivityNames.findEndpointConnections]: async () => [target("a")],
      [ActivityNames.confirmGone]: gone,
      [ActivityNames.deleteProviderConnection]: async () => ({ ok: true, value: "kept" }),
    });
    expect(calls.map((c) => c.name)).not.toContain(ActivityNames.removeDns);
    expect(result.output).toEqual({
      cleaned: [],
      kept: [{ connectionId: "a", why: "ARM showed the connection alive at deletion" }],
      failures: [],
    });
  });

  it("a refused provider delete is a failure, and the rest is still cleaned up", async () => {
    const { result, calls } = await cleanup({
      [ActivityNames.findEndpointConnections]: async () => [target("a")],
      [ActivityNames.confirmGone]: gone,
      [ActivityNames.deleteProviderConnection]: async () => ({ ok: false, code: "ARM_FORBIDDEN", message: "403" }),
      [ActivityNames.removeDns]: async () => ({ removed: 0, kept: 0 }),
      [ActivityNames.recordRemoval]: none,
    });
    expect(calls.find((c) => c.name === ActivityNames.recordRemoval)?.input).toMatchObject({
      providerConnection: "error ARM_FORBIDDEN",
    });
    expect(result.output).toEqual({
      cleaned: [{ connectionId: "a", dnsRemoved: 0, dnsKept: 0, providerConnection: "error ARM_FORBIDDEN" }],
      kept: [],
      failures: [{ connectionId: "a", code: "ARM_FORBIDDEN", message: "403" }],
    });
  });

  it("one connection's failing step is reported, and the next connection is still cleaned up", async () => {
    const { result } = await cleanup({
      [ActivityNames.findEndpointConnections]: async () => [target("a"), target("b")],
      [ActivityNames.confirmGone]: async (input: { target: { connectionId: string } }) => {
        if (input.target.connectionId === "a") throw new Error("storage is down");
        return gone();
      },
      [ActivityNames.deleteProviderConnection]: async () => ({ ok: true, value: "absent" }),
      [ActivityNames.removeDns]: async () => ({ removed: 0, kept: 0 }),
      [ActivityNames.recordRemoval]: none,
    });
    expect(result.output).toEqual({
      cleaned: [{ connectionId: "b", dnsRemoved: 0, dnsKept: 0, providerConnection: "absent" }],
      kept: [],
      failures: [{ connectionId: "a", code: "CLEANUP_FAILED", message: expect.stringContaining("storage is down") }],
    });
  });
});
