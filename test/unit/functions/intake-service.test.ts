import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reviewInstanceId } from "../../../src/app/instance-ids";
import { handleEventGridPayload, MAX_CONNECTIONS_PER_NOTIFICATION } from "../../../src/app/intake-service";
import { startReview } from "../../../src/app/review-starter";
import { OrchestrationNames } from "../../../src/workflow/names";
import { FakeOrchestrationClient } from "../../support/fake-orchestration-client";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, "..", "..", "fixtures", "events", name), "utf8"));

const PROVIDER_SCOPE = "/subscriptions/3f1c9a4e-5b7d-4e2a-9c61-0d8e7f6a5b41/resourceGroups/rg-provider";
// Our managed identity's object id in the fixtures (SOURCES.md).
const SELF_APP_ID = "9d2b7c1e-4a3f-4b8e-8c5d-6e7f8a9b0c1d";
// The endpoint the real delete fixture names (consumer-pe-delete.real.json), recorded as ours unless a test says not.
const CONSUMER_ENDPOINT =
  "/subscriptions/1a45a694-ae23-4650-9774-89a571c462f6/resourceGroups/BlobPrivateEndpointViaPortalRG/providers/Microsoft.Network/privateEndpoints/BlobStoragePrivateEndpoint";

function deps(client = new FakeOrchestrationClient(), recordedEndpoints: string[] = [CONSUMER_ENDPOINT]) {
  const logs: string[] = [];
  return {
    client,
    logs,
    deps: {
      client,
      managedScopes: [PROVIDER_SCOPE],
      selfPrincipalIds: [SELF_APP_ID],
      hasRecordedConnections: (id: string) =>
        Promise.resolve(recordedEndpoints.some((e) => e.toLowerCase() === id.toLowerCase())),
      log: (m: string) => logs.push(m),
    },
  };
}

describe("resource-events intake", () => {
  it("an operator's write on our connection starts its review once; a redelivery collapses", async () => {
    const { client, deps: d } = deps();
    const payload = fixture("derived-pls-connection-write-operator.json");
    await handleEventGridPayload(payload, d);
    await handleEventGridPayload(payload, d);
    expect(client.starts).toHaveLength(1);
    expect(client.starts[0]?.name).toBe(OrchestrationNames.connectionReview);
  });

  it("the echo of our own approve/reject write starts nothing", async () => {
    const { client, deps: d, logs } = deps();
    const report = await handleEventGridPayload(fixture("derived-pls-connection-write-self-echo.json"), d);
    expect(client.starts).toEqual([]);
    expect(report.actions[0]?.action).toContain("echo");
    expect(logs.join("\n")).toContain("echo");
  });

  it("a consumer's endpoint write starts the endpoint intake (resolution happens in an activity)", async () => {
    const { client, deps: d } = deps();
    await handleEventGridPayload(fixture("consumer-pe-write.real.json"), d);
    expect(client.starts.map((s) => s.name)).toEqual([OrchestrationNames.endpointIntake]);
  });

  it("a consumer's endpoint delete starts the clean-up", async () => {
    const { client, deps: d } = deps();
    await handleEventGridPayload(fixture("consumer-pe-delete.real.json"), d);
    expect(client.starts.map((s) => s.name)).toEqual([OrchestrationNames.connectionCleanup]);
  });

  it("a delete of an endpoint we recorded no connection for starts nothing", async () => {
    const { client, deps: d } = deps(new FakeOrchestrationClient(), []);
    const report = await handleEventGridPayload(fixture("consumer-pe-delete.real.json"), d);
    expect(client.starts).toEqual([]);
    expect(report.actions[0]?.action).toMatch(/^ignored: no connection of ours/);
  });

  it("events about resources we do not manage, and unrelated events, are ignored with a reason", async () => {
    const { client, deps: d } = deps();
    const other = { ...d, managedScopes: ["/subscriptions/00000000-0000-0000-0000-0000000000ff"] };
    await handleEventGridPayload(fixture("derived-pls-connection-write-operator.json"), other);
    const report = await handleEventGridPayload(fixture("derived-nic-write.json"), d);
    expect(client.starts).toEqual([]);
    expect(report.actions.every((a) => a.action.startsWith("ignored"))).toBe(true);
  });

  it.each([["not an event"], [42], [null], [{ hello: "world" }], [[{ id: 1 }]]])(
    "garbage (%j) is logged with its code and not thrown (Event Grid must not retry it)",
    async (payload) => {
      const { client, deps: d, logs } = deps();
      const report = await handleEventGridPayload(payload, d);
      expect(report.status === "invalid" || report.actions.every((a) => a.action.startsWith("ignored"))).toBe(true);
      expect(client.starts).toEqual([]);
      if (report.status === "invalid") expect(logs[0]).toContain("EVENT_PAYLOAD_INVALID");
    },
  );

  it("a resource notification is one durable start, however many connections it names (bounded, rest to the sweep)", async () => {
    const { client, deps: d, logs } = deps();
    const event = fixture("derived-arn-postgres-with-connections.json") as {
      data: { resourceInfo: { id: string; properties: { privateEndpointConnections: unknown[] } } };
    };
    const resourceId = event.data.resourceInfo.id;
    event.data.resourceInfo.properties.privateEndpointConnections = Array.from({ length: 1001 }, (_, i) => ({
      id: `${resourceId}/privateEndpointConnections/invented-${i}`,
      properties: { privateLinkServiceConnectionState: { status: i % 2 ? "Pending" : "Disconnected" } },
    }));

    await handleEventGridPayload(event, { ...d, managedScopes: [resourceId] });

    expect(client.starts.map((s) => s.name)).toEqual([OrchestrationNames.notificationIntake]);
    const input = client.starts[0]?.input as { connectionIds: string[] };
    expect(input.connectionIds).toHaveLength(MAX_CONNECTIONS_PER_NOTIFICATION);
    expect(logs.join("\n")).toContain("900 more left to the sweep");
  });

  it("a durable store that cannot be reached is thrown, so Event Grid retries", async () => {
    const client = new FakeOrchestrationClient();
    client.unreachable = true;
    const { deps: d } = deps(client);
    await expect(handleEventGridPayload(fixture("derived-pls-connection-write-operator.json"), d)).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe("start rules", () => {
  const input = {
    connectionId: `${PROVIDER_SCOPE}/providers/Microsoft.Network/privateLinkServices/pls/privateEndpointConnections/c`,
    source: "sweep" as const,
    observedAt: "2026-01-01T00:00:00Z",
  };

  it("derives one instance id from the normalised connection id, whatever the casing", () => {
    expect(reviewInstanceId(input.connectionId)).toBe(
      reviewInstanceId(input.connectionId.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/") + "/"),
    );
    expect(reviewInstanceId(input.connectionId)).toMatch(/^review-[0-9a-f]{40}$/);
  });

  it("starts when none exists, not while one runs, and again once it has ended", async () => {
    const client = new FakeOrchestrationClient();
    expect((await startReview(client, input)).outcome).toBe("started");
    expect((await startReview(client, input)).outcome).toBe("already-running");
    client.instances.set(reviewInstanceId(input.connectionId), "Completed");
    expect((await startReview(client, input)).outcome).toBe("restarted");
    expect(client.starts).toHaveLength(2);
  });

  it("a start that loses a race to another start counts as already running", async () => {
    const client = new FakeOrchestrationClient();
    client.raceOnStart = true;
    expect(await startReview(client, input)).toMatchObject({ started: false, outcome: "already-running" });
  });
});
