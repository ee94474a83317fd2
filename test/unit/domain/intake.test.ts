import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  HANDLED_EVENT_TYPES,
  HANDLED_OPERATION_NAMES,
  MAX_EVENTS_PER_BATCH,
  parseEventGridPayload,
  type IntakeSignal,
} from "../../../src/domain/intake";
import { codeOf } from "./domain-error.helper";

const dir = path.resolve(__dirname, "../../fixtures/events");
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(dir, name), "utf8"));
const SELF = "9d2b7c1e-4a3f-4b8e-8c5d-6e7f8a9b0c1d";
const PE =
  "/subscriptions/1a45a694-ae23-4650-9774-89a571c462f6/resourcegroups/BlobPrivateEndpointViaPortalRG/providers/Microsoft.Network/privateEndpoints/BlobStoragePrivateEndpoint";

function one(payload: unknown, selfPrincipalIds: string[] = [SELF]): IntakeSignal {
  const signals = parseEventGridPayload(payload, { selfPrincipalIds });
  expect(signals).toHaveLength(1);
  return signals[0]!;
}

describe("parseEventGridPayload on real captures", () => {
  it("turns the consumer-side endpoint write into private-endpoint-written", () => {
    expect(one(fixture("consumer-pe-write.real.json"))).toEqual({
      kind: "private-endpoint-written",
      privateEndpointId: PE,
      subscriptionId: "1a45a694-ae23-4650-9774-89a571c462f6",
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      eventId: "72812574-c657-4c36-9048-8c769633c152",
      eventTime: "2020-07-06T10:38:10.849308Z",
      correlationId: "2a0deb03-2a97-44c7-b992-61b28129d6c3",
    });
  });

  it("turns the delete (no httpRequest) into private-endpoint-deleted", () => {
    expect(one(fixture("consumer-pe-delete.real.json"))).toMatchObject({
      kind: "private-endpoint-deleted",
      privateEndpointId: PE,
      eventId: "eae72c44-dcb5-4bd4-9351-120e2631cdee",
    });
  });

  it("ignores unrelated writes, deletes and actions from the documentation templates", () => {
    for (const f of ["docs-resource-write-success.template.json", "docs-resource-delete-success.template.json"]) {
      expect(one(fixture(f))).toMatchObject({
        kind: "ignored",
        reason: expect.stringContaining("not one the intake acts on"),
      });
    }
    expect(one(fixture("docs-resource-action-success.template.json"))).toMatchObject({
      kind: "ignored",
      reason: expect.stringContaining("listKeys"),
      eventType: "Microsoft.Resources.ResourceActionSuccess",
    });
  });

  it("ignores the resource notification template, whose ids are placeholders", () => {
    expect(one(fixture("docs-arn-resource-created-or-updated.template.json"))).toMatchObject({ kind: "ignored" });
  });
});

describe("parseEventGridPayload on quirks (derived fixtures)", () => {
  it("reads PascalCase authorization keys, resourceGroups casing and a trailing / on subscriptionId", () => {
    const s = one(fixture("derived-pe-write-pascalcase-authorization.json"));
    expect(s).toMatchObject({
      kind: "private-endpoint-written",
      subscriptionId: "1a45a694-ae23-4650-9774-89a571c462f6",
    });
    expect(s.kind === "private-endpoint-written" && s.privateEndpointId).toBe(
      PE.replace("resourcegroups", "resourceGroups"),
    );
  });

  it("accepts an empty httpRequest and U+FFFD in claims", () => {
    expect(one(fixture("derived-pe-write-empty-httprequest-fffd-claims.json")).kind).toBe("private-endpoint-written");
  });

  it("reads the CloudEvents 1.0 schema", () => {
    expect(one(fixture("derived-pe-write.cloudevents.json"))).toMatchObject({
      kind: "private-endpoint-written",
      eventId: "d1000000-0000-4000-8000-000000000003",
      eventTime: "2020-07-06T10:38:10.849308Z",
    });
  });

  it("recognises the echo of our own approve/reject PUT by the caller's object id", () => {
    const echo = one(fixture("derived-pls-connection-write-self-echo.json"));
    expect(echo).toMatchObject({ kind: "connection-written", initiatedBySelf: true });
    expect(echo.kind === "connection-written" && echo.providerResourceId).toMatch(/privateLinkServices\/pls-orders$/);
    expect(one(fixture("derived-pls-connection-write-self-echo.json"), [SELF.toUpperCase()])).toMatchObject({
      initiatedBySelf: true,
    });
    expect(one(fixture("derived-pls-connection-write-self-echo.json"), [])).toMatchObject({ initiatedBySelf: false });
    expect(one(fixture("derived-pls-connection-write-operator.json"))).toMatchObject({
      kind: "connection-written",
      initiatedBySelf: false,
    });
  });

  it("turns a connection delete into connection-deleted", () => {
    expect(one(fixture("derived-pls-connection-delete.json"))).toMatchObject({
      kind: "connection-deleted",
      connectionId: expect.stringMatching(/privateEndpointConnections\/pe-orders/),
    });
  });

  it("ignores failures, network interfaces and the validation handshake, with the reason", () => {
    expect(one(fixture("derived-pe-write-failure.json"))).toMatchObject({
      kind: "ignored",
      reason: expect.stringMatching(/failed/),
    });
    expect(one(fixture("derived-nic-write.json"))).toMatchObject({
      kind: "ignored",
      reason: expect.stringMatching(/network interface/),
    });
    expect(one(fixture("derived-subscription-validation.json"))).toMatchObject({
      kind: "ignored",
      reason: expect.stringMatching(/validation/),
    });
  });

  it("reads a resource notification's connections, keeping only those that belong to the resource", () => {
    const s = one(fixture("derived-arn-postgres-with-connections.json"));
    if (s.kind !== "resource-notification") throw new Error(`unexpected ${s.kind}`);
    expect(s.providerResourceType).toBe("Microsoft.DBforPostgreSQL/flexibleServers");
    expect(s.location).toBe("westeurope");
    expect(s.tags).toEqual({ environment: "prod", owner: "data-team" });
    expect(s.connections).toEqual([
      {
        connectionId: expect.stringMatching(/pe-pg\.aaaa$/),
        status: "Pending",
        privateEndpointId: expect.stringMatching(/privateEndpoints\/pe-pg$/),
        groupIds: ["postgresqlServer"],
        requestMessage: "Orders reporting, CHG0012345",
        description: "Orders reporting, CHG0012345",
      },
      expect.objectContaining({ status: "Approved", connectionId: expect.stringMatching(/pe-old\.bbbb$/) }),
    ]);
  });

  it("handles every fixture in the folder without throwing", () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
      expect(() => parseEventGridPayload(fixture(f)), f).not.toThrow();
    }
  });

  it("handles a mixed batch in order, and a JSON string body", () => {
    const batch = [fixture("consumer-pe-write.real.json"), fixture("derived-pls-connection-delete.json"), 42];
    expect(parseEventGridPayload(batch).map((s) => s.kind)).toEqual([
      "private-endpoint-written",
      "connection-deleted",
      "ignored",
    ]);
    expect(parseEventGridPayload(JSON.stringify(batch))).toHaveLength(3);
  });
});

describe("parseEventGridPayload on hostile or malformed input", () => {
  it.each([
    ["null", null],
    ["a number", 7],
    ["an object without eventType", { hello: "world" }],
    ["an array of strings", ["a", "b"]],
    ["invalid JSON text", "{not json"],
    ["a CloudEvent-looking object without specversion", { type: "x", id: "1" }],
  ])("refuses %s with EVENT_PAYLOAD_INVALID", (_, payload) => {
    expect(codeOf(() => parseEventGridPayload(payload))).toBe("EVENT_PAYLOAD_INVALID");
  });

  it("returns nothing for an empty batch", () => {
    expect(parseEventGridPayload([])).toEqual([]);
  });

  it("caps the batch at Event Grid's limit", () => {
    const event = fixture("consumer-pe-write.real.json");
    expect(parseEventGridPayload(Array(MAX_EVENTS_PER_BATCH).fill(event))).toHaveLength(MAX_EVENTS_PER_BATCH);
    expect(codeOf(() => parseEventGridPayload(Array(MAX_EVENTS_PER_BATCH + 1).fill(event)))).toBe(
      "EVENT_BATCH_TOO_LARGE",
    );
    expect(codeOf(() => parseEventGridPayload(" ".repeat(1024 * 1024 + 1)))).toBe("EVENT_BATCH_TOO_LARGE");
  });

  it("survives deep nesting and prototype-pollution keys without polluting", () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { data: deep };
    expect(one({ eventType: "Microsoft.Resources.ResourceWriteSuccess", id: "1", data: deep }).kind).toBe("ignored");

    const hostile = JSON.parse(
      JSON.stringify(fixture("derived-arn-postgres-with-connections.json"))
        .replace('"tags":{', '"tags":{"__proto__":{"polluted":"yes"},"constructor":"x",')
        .replace('"data":{', '"data":{"__proto__":{"polluted":"yes"},'),
    );
    const s = one(hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(s.kind === "resource-notification" && Object.keys(s.tags ?? {})).toEqual(["environment", "owner"]);
  });

  it("does not act on a write whose operation and resource disagree", () => {
    const e = fixture("consumer-pe-write.real.json") as { data: Record<string, unknown> };
    e.data.resourceUri =
      "/subscriptions/1a45a694-ae23-4650-9774-89a571c462f6/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x";
    expect(one(e).kind).toBe("ignored");
  });
});

describe("filter lists for infra", () => {
  it("names the event types and operations the intake acts on", () => {
    expect(HANDLED_EVENT_TYPES).toContain("Microsoft.Resources.ResourceWriteSuccess");
    expect(HANDLED_EVENT_TYPES).toContain("Microsoft.ResourceNotifications.Resources.CreatedOrUpdated");
    expect(HANDLED_OPERATION_NAMES).toContain("Microsoft.Network/privateEndpoints/write");
    expect(HANDLED_OPERATION_NAMES).toContain("Microsoft.Network/privateLinkServices/privateEndpointConnections/write");
    expect(HANDLED_OPERATION_NAMES).toContain(
      "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections/delete",
    );
  });
});
