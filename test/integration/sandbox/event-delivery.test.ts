import { NetworkManagementClient } from "@azure/arm-network";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { afterEach, describe, expect, it } from "vitest";
import { startEventReceiver } from "./event-receiver";
import { createEndpoint, endpointRequest, SEED, startTestSandbox } from "./sandbox-test-harness";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(statuses: (number | "hang")[] = [], extra: Parameters<typeof startTestSandbox>[0] = {}) {
  const receiver = await startEventReceiver(statuses);
  const t = await startTestSandbox({
    eventWebhookUrl: receiver.url,
    eventRetryDelaysMs: [5, 10],
    eventAttemptTimeoutMs: 300,
    ...extra,
  });
  cleanups.push(
    () => receiver.close(),
    () => t.stop(),
  );
  return { receiver, t };
}

const peBody = (name: string, subscriptionId = SEED.watchedConsumer) =>
  endpointRequest(name, SEED.plsId, { subscriptionId });

describe("sandbox Event Grid delivery", () => {
  it("raises ResourceWriteSuccess for an endpoint in a watched subscription only, in the real envelope", async () => {
    const { receiver, t } = await setup();
    await createEndpoint(t, peBody("watched-pe"));
    await createEndpoint(t, peBody("unwatched-pe", SEED.unwatchedConsumer));
    await createEndpoint(t, peBody("foreign-pe", SEED.foreignConsumer));
    await t.sandbox.eventsIdle();

    expect(receiver.batches).toHaveLength(1);
    const batch = receiver.batches[0]!;
    expect(batch.headers["aeg-event-type"]).toBe("Notification");
    const [event] = await new EventGridDeserializer().deserializeEventGridEvents(JSON.stringify(batch.events));
    expect(event!.topic).toBe(`/subscriptions/${SEED.watchedConsumer}`);
    expect(event!.subject).toMatch(/\/providers\/Microsoft\.Network\/privateEndpoints\/watched-pe$/);
    if (!isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", event!))
      throw new Error("not a ResourceWriteSuccess");
    expect(event.data.operationName).toBe("Microsoft.Network/privateEndpoints/write");
    expect(event.data.subscriptionId).toBe(SEED.watchedConsumer);
    expect(event.dataVersion).toBe("2");
  });

  it("echoes the app's own approval on the provider subscription with the managed identity's claims", async () => {
    const { receiver, t } = await setup();
    const pe = await createEndpoint(t, peBody("echo-pe"));
    const network = new NetworkManagementClient(t.credential, SEED.provider, t.armOptions);
    await network.privateLinkServices.updatePrivateEndpointConnection(
      "provider-rg",
      "orders-api-pls",
      pe.connectionId.split("/").pop()!,
      {
        privateLinkServiceConnectionState: { status: "Approved", description: "ok" },
      },
    );
    await t.sandbox.eventsIdle();
    const echo = receiver.batches.flatMap((b) => b.events).find((e) => e.subject === pe.connectionId);
    expect(echo).toBeDefined();
    expect(echo!.topic).toBe(`/subscriptions/${SEED.provider}`);
    expect(echo!.data.operationName).toBe("Microsoft.Network/privateLinkServices/privateEndpointConnections/write");
    const identity = t.sandbox.estate.managedIdentity;
    expect(echo!.data.claims["http://schemas.microsoft.com/identity/claims/objectidentifier"]).toBe(identity.objectId);
    expect(echo!.data.claims.appid).toBe(identity.clientId);
  });

  it("raises ResourceDeleteSuccess when the consumer deletes the endpoint; the provider side turns Disconnected", async () => {
    const { receiver, t } = await setup();
    const pe = await createEndpoint(t, peBody("gone-pe"));
    const del = await t.control<{ connectionStatus: string }>(
      "DELETE",
      `/_sandbox/private-endpoints/${encodeURIComponent(pe.privateEndpointId)}`,
    );
    expect(del.status).toBe(200);
    expect(del.body.connectionStatus).toBe("Disconnected");
    expect((await t.control("DELETE", `/_sandbox/private-endpoints${pe.privateEndpointId}`)).status).toBe(204);
    await t.sandbox.eventsIdle();
    const types = receiver.batches.flatMap((b) => b.events).map((e) => `${e.eventType} ${e.data.operationName}`);
    expect(types).toEqual([
      "Microsoft.Resources.ResourceWriteSuccess Microsoft.Network/privateEndpoints/write",
      "Microsoft.Resources.ResourceDeleteSuccess Microsoft.Network/privateEndpoints/delete",
    ]);
  });

  it("retries on 5xx and timeouts, drops at once on 400, and drops after the last retry", async () => {
    const retried = await setup([503, "hang", 200]);
    await createEndpoint(retried.t, peBody("retry-pe"));
    await retried.t.sandbox.eventsIdle();
    const [record] = retried.t.sandbox.deliveries();
    expect(record!.state).toBe("delivered");
    expect(record!.attempts.map((a) => a.status ?? "timeout")).toEqual([503, "timeout", 200]);

    const refused = await setup([400]);
    await createEndpoint(refused.t, peBody("bad-pe"));
    await refused.t.sandbox.eventsIdle();
    expect(refused.t.sandbox.deliveries()[0]).toMatchObject({ state: "dropped" });
    expect(refused.receiver.attempts).toBe(1);

    const failing = await setup([500, 500, 500, 500]);
    await createEndpoint(failing.t, peBody("fail-pe"));
    await failing.t.sandbox.eventsIdle();
    expect(failing.t.sandbox.deliveries()[0]).toMatchObject({ state: "dropped" });
    expect(failing.receiver.attempts).toBe(3); // the first try and two retries
  });

  it("delivers each event twice when asked (duplicates), and queues events until a webhook is set", async () => {
    const dup = await setup([], { deliverEachEventTimes: 2 });
    await createEndpoint(dup.t, peBody("dup-pe"));
    await dup.t.sandbox.eventsIdle();
    const ids = dup.receiver.batches.map((b) => b.events[0]!.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);

    const receiver = await startEventReceiver();
    const t = await startTestSandbox();
    cleanups.push(
      () => receiver.close(),
      () => t.stop(),
    );
    await createEndpoint(t, peBody("queued-pe"));
    const queued = await t.control<{ deliveries: { state: string }[] }>("GET", "/_sandbox/deliveries");
    expect(queued.body.deliveries.map((d) => d.state)).toEqual(["queued"]);
    t.sandbox.setEventWebhookUrl(receiver.url);
    await t.sandbox.eventsIdle();
    expect(receiver.batches).toHaveLength(1);
  });
});
