/** How each kind of event is read or set aside, and why: built event by event, one difference at a time. */
import { describe, expect, it } from "vitest";
import { MAX_PAYLOAD_CHARS, parseEventGridPayload, type IntakeSignal } from "../../../src/domain/intake";
import { codeOf } from "./domain-error.helper";

const SUB = "3f1c9a4e-5b7d-4e2a-9c61-0d8e7f6a5b41";
const PE = `/subscriptions/${SUB}/resourceGroups/rg-c/providers/Microsoft.Network/privateEndpoints/pe-1`;
const PLS = `/subscriptions/${SUB}/resourceGroups/rg-p/providers/Microsoft.Network/privateLinkServices/pls`;
const PEC = `${PLS}/privateEndpointConnections/pe-1.abc`;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const WRITE = "Microsoft.Resources.ResourceWriteSuccess";
const DELETE = "Microsoft.Resources.ResourceDeleteSuccess";
const NOTIFIED = "Microsoft.ResourceNotifications.Resources.CreatedOrUpdated";

function event(eventType: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { id: "evt-1", eventType, eventTime: "2026-03-02T09:30:00Z", subject: "", data, ...extra };
}
const peWrite = (data: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  event(WRITE, { operationName: "Microsoft.Network/privateEndpoints/write", resourceUri: PE, ...data }, extra);
const pecWrite = (data: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  event(
    WRITE,
    {
      operationName: "Microsoft.Network/privateLinkServices/privateEndpointConnections/write",
      resourceUri: PEC,
      ...data,
    },
    extra,
  );

function one(payload: unknown): IntakeSignal {
  const signals = parseEventGridPayload(payload);
  expect(signals).toHaveLength(1);
  return signals[0]!;
}
const reason = (payload: unknown) => {
  const s = one(payload);
  return s.kind === "ignored" ? s.reason : `not ignored: ${s.kind}`;
};

describe("events set aside, each with its reason", () => {
  it.each([
    [
      "Microsoft.EventGrid.SubscriptionValidationEvent",
      "subscription validation handshake; the webhook endpoint answers it, not the intake",
    ],
    ["Microsoft.Resources.ResourceWriteFailure", "the operation failed or was cancelled"],
    ["Microsoft.Resources.ResourceDeleteCancel", "the operation failed or was cancelled"],
    ["Microsoft.Resources.ResourceActionSuccess", "a resource action (such as listKeys), not a write"],
    ["Microsoft.Storage.BlobCreated", "event type Microsoft.Storage.BlobCreated is not one the intake acts on"],
  ])("%s: %s", (eventType, why) => {
    expect(one(event(eventType, {}))).toEqual({ kind: "ignored", reason: why, eventId: "evt-1", eventType });
  });

  it("an event without an id is set aside without one", () => {
    expect(one(event("Other.Type", {}, { id: "" }))).toEqual({
      kind: "ignored",
      reason: expect.any(String) as unknown,
      eventType: "Other.Type",
    });
  });

  it.each([
    [{ status: "Failed" }, "the operation status is Failed, not Succeeded"],
    [
      { operationName: "Microsoft.Storage/storageAccounts/listKeys/action" },
      "a resource action (such as listKeys), not a write",
    ],
    [
      { operationName: "Microsoft.Network/networkInterfaces/write" },
      "a network interface event; the endpoint's own event carries what we need",
    ],
    [{ resourceUri: PLS }, "the resource is not a private endpoint id"],
    [{ resourceUri: "not an id" }, "the resource is not a private endpoint id"],
    [
      { operationName: "Microsoft.Compute/virtualMachines/write" },
      "operation microsoft.compute/virtualmachines/write is not one the intake acts on",
    ],
    [{ operationName: undefined }, "operation (none) is not one the intake acts on"],
  ])("a write with %j: %s", (data, why) => {
    expect(reason(peWrite(data))).toBe(why);
  });

  it("an operation that disagrees with the event type is set aside", () => {
    expect(reason(event(DELETE, { operationName: "Microsoft.Network/privateEndpoints/write", resourceUri: PE }))).toBe(
      "operation and event type disagree",
    );
    expect(reason(event(WRITE, { operationName: "Microsoft.Network/privateEndpoints/delete", resourceUri: PE }))).toBe(
      "operation and event type disagree",
    );
    expect(
      reason(
        event(DELETE, {
          operationName: "Microsoft.Network/privateLinkServices/privateEndpointConnections/write",
          resourceUri: PEC,
        }),
      ),
    ).toBe("operation and event type disagree");
    expect(reason(pecWrite({ resourceUri: PLS }))).toBe("the resource is not a private endpoint connection id");
    expect(reason(pecWrite({ resourceUri: "" }))).toBe("the resource is not a private endpoint connection id");
  });

  it("a Succeeded status in any case is acted on", () => {
    expect(one(peWrite({ status: "succeeded" })).kind).toBe("private-endpoint-written");
    expect(one(peWrite({ status: "" })).kind).toBe("private-endpoint-written");
  });
});

describe("what an acted-on event carries", () => {
  it("an endpoint write: the endpoint, its subscription, the tenant claim, event id, time and correlation", () => {
    expect(one(peWrite({ correlationId: "corr-1", tenantId: `${TENANT}/` }))).toEqual({
      kind: "private-endpoint-written",
      privateEndpointId: PE,
      subscriptionId: SUB,
      tenantId: TENANT,
      eventId: "evt-1",
      eventTime: "2026-03-02T09:30:00Z",
      correlationId: "corr-1",
    });
  });

  it("the tenant comes from data.tenantId, else the tenantid claim, else tid; the first valid GUID wins", () => {
    const tid = (data: Record<string, unknown>) => {
      const s = one(peWrite(data));
      return s.kind === "private-endpoint-written" ? s.tenantId : "wrong kind";
    };
    const other = "11111111-aaaa-4aaa-8aaa-000000000001";
    expect(tid({ claims: { "http://schemas.microsoft.com/identity/claims/tenantid": TENANT } })).toBe(TENANT);
    expect(tid({ claims: { tid: TENANT.toUpperCase() } })).toBe(TENANT);
    expect(tid({ tenantId: "nope", claims: { tid: TENANT } })).toBe(TENANT);
    expect(tid({ tenantId: other, claims: { tid: TENANT } })).toBe(other);
    expect(tid({})).toBeUndefined();
  });

  it("an endpoint delete, with the resource from the subject when data has no resourceUri", () => {
    const del = event(DELETE, { operationName: "Microsoft.Network/privateEndpoints/delete" }, { subject: PE });
    expect(one(del)).toMatchObject({ kind: "private-endpoint-deleted", privateEndpointId: PE });
  });

  it("the operation from authorization.action when operationName is missing", () => {
    const e = event(WRITE, { authorization: { action: "Microsoft.Network/privateEndpoints/write" }, resourceUri: PE });
    expect(one(e).kind).toBe("private-endpoint-written");
  });

  it("a connection write and delete: the connection, its provider resource, correlation on writes", () => {
    expect(one(pecWrite({ correlationId: "corr-2" }))).toEqual({
      kind: "connection-written",
      connectionId: PEC,
      providerResourceId: PLS,
      initiatedBySelf: false,
      eventId: "evt-1",
      eventTime: "2026-03-02T09:30:00Z",
      correlationId: "corr-2",
    });
    const del = event(DELETE, {
      operationName: "Microsoft.Sql/servers/privateEndpointConnections/delete",
      resourceUri: PEC,
    });
    expect(one(del)).toEqual({
      kind: "connection-deleted",
      connectionId: PEC,
      providerResourceId: PLS,
      eventId: "evt-1",
      eventTime: "2026-03-02T09:30:00Z",
    });
  });

  it("CloudEvents: type, time and a data string are read", () => {
    const cloud = {
      specversion: "1.0",
      id: "ce-1",
      type: WRITE,
      time: "2026-03-02T10:00:00Z",
      data: JSON.stringify({ operationName: "Microsoft.Network/privateEndpoints/write", resourceUri: PE }),
    };
    expect(one(cloud)).toMatchObject({
      kind: "private-endpoint-written",
      eventId: "ce-1",
      eventTime: "2026-03-02T10:00:00Z",
    });
    expect(reason({ ...cloud, data: "{not json" })).toBe("operation (none) is not one the intake acts on");
    const noTime = { ...cloud, time: undefined };
    expect(one(noTime)).toMatchObject({ eventTime: "" });
  });

  it("a data string longer than an event can be is not parsed", () => {
    const huge = JSON.stringify({
      operationName: "Microsoft.Network/privateEndpoints/write",
      resourceUri: PE,
      pad: "x".repeat(MAX_PAYLOAD_CHARS),
    });
    expect(reason({ eventType: WRITE, id: "e", data: huge })).toBe("operation (none) is not one the intake acts on");
  });
});

describe("payload envelopes", () => {
  it("a text payload up to 1 MB is parsed; one character more is refused as too large", () => {
    const body = JSON.stringify(peWrite());
    const atLimit = body + " ".repeat(MAX_PAYLOAD_CHARS - body.length);
    expect(parseEventGridPayload(atLimit)).toHaveLength(1);
    expect(codeOf(() => parseEventGridPayload(`${atLimit} `))).toBe("EVENT_BATCH_TOO_LARGE");
  });

  it("text that is not JSON is refused as such", () => {
    expect(() => parseEventGridPayload("{oops")).toThrow(/not valid JSON/);
  });

  it("what is not an event in a batch is set aside beside the events; a batch of nothing else is refused", () => {
    expect(
      parseEventGridPayload([peWrite(), 42, { eventType: "" }]).map((s) => (s.kind === "ignored" ? s.reason : s.kind)),
    ).toEqual([
      "private-endpoint-written",
      "not an Event Grid or CloudEvents event",
      "not an Event Grid or CloudEvents event",
    ]);
    expect(codeOf(() => parseEventGridPayload([42, "x"]))).toBe("EVENT_PAYLOAD_INVALID");
    expect(codeOf(() => parseEventGridPayload({ type: WRITE }))).toBe("EVENT_PAYLOAD_INVALID");
  });

  it("our own identity is recognised in any case and with spaces in the setting, never by a blank one", () => {
    const ours = pecWrite({ claims: { oid: "9D2B7C1E-4A3F-4B8E-8C5D-6E7F8A9B0C1D" } });
    const run = (ids: string[]) => {
      const [s] = parseEventGridPayload(ours, { selfPrincipalIds: ids });
      return s?.kind === "connection-written" && s.initiatedBySelf;
    };
    expect(run([" 9d2b7c1e-4a3f-4b8e-8c5d-6e7f8a9b0c1d "])).toBe(true);
    expect(run(["", "  "])).toBe(false);
  });
});

describe("resource notifications", () => {
  const conn = (name: string, status: string, props: Record<string, unknown> = {}) => ({
    id: `${PLS}/privateEndpointConnections/${name}`,
    properties: { privateLinkServiceConnectionState: { status, description: `desc ${name}` }, ...props },
  });
  const notified = (info: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    event(NOTIFIED, { resourceInfo: { id: PLS, properties: { privateEndpointConnections: [] }, ...info } }, extra);

  it("carries the resource, its type, location, tags and each of its own connections", () => {
    const s = one(
      notified({
        type: "Microsoft.Network/privateLinkServices",
        location: "westeurope",
        tags: { env: "prod" },
        properties: {
          privateEndpointConnections: [
            conn("a", "Pending", { privateEndpoint: { id: PE }, groupIds: ["g", 7] }),
            conn("b", "approved"),
            {
              name: "c",
              properties: { privateLinkServiceConnectionState: { status: "Pending" }, requestMessage: "msg" },
            },
            {
              id: `/subscriptions/${SUB}/resourceGroups/x/providers/Microsoft.Network/privateLinkServices/other/privateEndpointConnections/d`,
              properties: { privateLinkServiceConnectionState: { status: "Pending" } },
            },
            { id: PLS, properties: { privateLinkServiceConnectionState: { status: "Pending" } } },
            { properties: { privateLinkServiceConnectionState: { status: "Pending" } } },
          ],
        },
      }),
    );
    expect(s).toEqual({
      kind: "resource-notification",
      providerResourceId: PLS,
      providerResourceType: "Microsoft.Network/privateLinkServices",
      location: "westeurope",
      tags: { env: "prod" },
      eventId: "evt-1",
      eventTime: "2026-03-02T09:30:00Z",
      connections: [
        {
          connectionId: `${PLS}/privateEndpointConnections/a`,
          status: "Pending",
          privateEndpointId: PE,
          groupIds: ["g"],
          requestMessage: "desc a",
          description: "desc a",
        },
        {
          connectionId: `${PLS}/privateEndpointConnections/b`,
          status: "Approved",
          groupIds: [],
          description: "desc b",
        },
        { connectionId: `${PLS}/privateEndpointConnections/c`, status: "Pending", groupIds: [], requestMessage: "msg" },
      ],
    });
  });

  it("reads the type from the id and the time from operationalInfo when the envelope lacks them", () => {
    const s = one(notified({}, { eventTime: "", data: undefined }));
    expect(s).toMatchObject({ kind: "ignored" });
    const e = notified({});
    e.data.operationalInfo = { resourceEventTime: "2026-03-02T08:00:00Z" };
    expect(one({ ...e, eventTime: "" })).toMatchObject({
      providerResourceType: "Microsoft.Network/privateLinkServices",
      eventTime: "2026-03-02T08:00:00Z",
    });
    expect(one({ ...notified({}), eventTime: "" })).toMatchObject({ eventTime: "" });
  });

  it("keeps at most 32 group ids per connection and 1,000 connections per resource", () => {
    const many = Array.from({ length: 1001 }, (_, i) =>
      conn(`c${i}`, "Pending", { groupIds: Array.from({ length: 40 }, (_, j) => `g${j}`) }),
    );
    const s = one(notified({ properties: { privateEndpointConnections: many } }));
    if (s.kind !== "resource-notification") throw new Error(s.kind);
    expect(s.connections).toHaveLength(1000);
    expect(s.connections[0]?.groupIds).toHaveLength(32);
  });

  it("sets aside a notification without a resource id or without connections", () => {
    expect(reason(event(NOTIFIED, { resourceInfo: { id: "nope" } }))).toBe(
      "the notification names no valid resource id",
    );
    expect(reason(event(NOTIFIED, { resourceInfo: { id: `/subscriptions/${SUB}` } }))).toBe(
      "the notification names no valid resource id",
    );
    expect(reason(event(NOTIFIED, { resourceInfo: { id: PLS } }))).toBe(
      "the resource carries no privateEndpointConnections",
    );
    expect(
      one(event(NOTIFIED, { resourceInfo: { properties: { privateEndpointConnections: [] } } }, { subject: PLS })),
    ).toMatchObject({
      providerResourceId: PLS,
    });
  });
});
