import { describe, expect, it } from "vitest";
import { createReview, getConnection, health, listConnections, parseJsonBody } from "../../../src/app/http-api";
import { ConfigError, loadConfig } from "../../../src/config";
import { encodeKey } from "../../../src/domain/arm-id";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { PermanentError } from "../../../src/ports/errors";
import { OrchestrationNames } from "../../../src/workflow/names";
import { InMemoryConnectionGateway } from "../../../src/ports/connection-gateway.in-memory";
import {
  aConnectionId,
  anArmConnection,
  aTenant,
  anEndpoint,
  anEndpointId,
  aPrivateLinkServiceId,
} from "../../support/builders";
import { FakeOrchestrationClient } from "../../support/fake-orchestration-client";

const scopes = ["/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/provider-rg"];

function reviewDeps(client = new FakeOrchestrationClient()) {
  const gateway = new InMemoryConnectionGateway();
  gateway.addConnection(anArmConnection());
  gateway.addEndpoint(anEndpoint());
  const bookkeeping = new InMemoryBookkeeping();
  return {
    client,
    gateway,
    bookkeeping,
    managedScopes: scopes,
    now: () => "2026-01-01T09:00:00.000Z",
    statusUrl: (key: string) => `http://127.0.0.1/api/connections/${key}`,
  };
}

const errorCode = (r: { jsonBody: unknown }) => (r.jsonBody as { error: { code: string; message: string } }).error.code;

describe("POST /api/reviews", () => {
  it("starts a review for a managed connection: 202 with the status URL, idempotent on repeat", async () => {
    const d = reviewDeps();
    const first = await createReview({ connectionId: aConnectionId() }, d);
    expect(first.status).toBe(202);
    const key = encodeKey(aConnectionId());
    expect(first.headers?.Location).toBe(`http://127.0.0.1/api/connections/${key}`);
    expect(first.jsonBody).toMatchObject({ outcome: "started", connectionKey: key });
    const again = await createReview({ connectionId: aConnectionId() }, d);
    expect(again.jsonBody).toMatchObject({ outcome: "already-running" });
    expect(d.client.starts).toHaveLength(1);
  });

  it("hands its own read of the connection to the review as the review's first read: one ARM call, not two", async () => {
    const d = reviewDeps();
    await createReview({ connectionId: aConnectionId() }, d);
    expect(d.gateway.reads).toEqual([{ method: "getConnection", id: aConnectionId(), detail: "status" }]);
    expect(d.client.starts[0]?.input).toMatchObject({
      connectionId: aConnectionId(),
      observed: {
        at: "2026-01-01T09:00:00.000Z",
        connection: { connectionId: aConnectionId(), armStatus: "Pending", privateEndpointId: anEndpointId() },
      },
    });
  });

  it("a private endpoint id starts the endpoint intake", async () => {
    const d = reviewDeps();
    const res = await createReview({ privateEndpointId: anEndpointId() }, d);
    expect(res.status).toBe(202);
    expect(d.client.starts[0]?.name).toBe(OrchestrationNames.endpointIntake);
  });

  it.each([
    [null, "BODY_INVALID"],
    [[], "BODY_INVALID"],
    ["text", "BODY_INVALID"],
    [{}, "TARGET_REQUIRED"],
    [{ connectionId: aConnectionId(), privateEndpointId: anEndpointId() }, "TARGET_REQUIRED"],
    [{ connectionId: 12 }, "CONNECTION_ID_INVALID"],
    [{ connectionId: "/subscriptions/x/../../etc/passwd" }, "CONNECTION_ID_INVALID"],
    [{ connectionId: aPrivateLinkServiceId() }, "CONNECTION_ID_INVALID"],
    [{ privateEndpointId: aConnectionId() }, "ENDPOINT_ID_INVALID"],
    [{ privateEndpointId: "x".repeat(5000) }, "ENDPOINT_ID_INVALID"],
  ])("answers %j with 400 %s and starts nothing", async (body, code) => {
    const d = reviewDeps();
    const res = await createReview(body, d);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe(code);
    expect((res.jsonBody as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
    expect(d.client.starts).toEqual([]);
  });

  // Bookkeeping only for what exists: ARM is asked first, and nothing is started for what it does not have.
  it("a connection ARM does not have is 404 CONNECTION_NOT_FOUND and starts nothing", async () => {
    const d = reviewDeps();
    const res = await createReview({ connectionId: aConnectionId({ name: "invented" }) }, d);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("CONNECTION_NOT_FOUND");
    expect(d.client.starts).toEqual([]);
  });

  it("a connection under an invented resource type is 404 and starts nothing", async () => {
    const d = reviewDeps();
    d.gateway.failNext("getConnection", new PermanentError("RESOURCE_TYPE_UNSUPPORTED", "No such type."));
    const invented = `${scopes[0]}/providers/Contoso.Fake/widgets/w1/privateEndpointConnections/c1`;
    const res = await createReview({ connectionId: invented }, d);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("CONNECTION_NOT_FOUND");
    expect(d.client.starts).toEqual([]);
  });

  it("an endpoint ARM does not have, or one aimed at resources we do not manage, starts nothing", async () => {
    const d = reviewDeps();
    const missing = await createReview({ privateEndpointId: anEndpointId("nope") }, d);
    expect([missing.status, errorCode(missing)]).toEqual([404, "ENDPOINT_NOT_FOUND"]);
    const elsewhere = anEndpointId("elsewhere");
    d.gateway.addEndpoint(
      anEndpoint({
        id: elsewhere,
        targets: [{ targetResourceId: "/subscriptions/ff/resourceGroups/x", groupIds: [] }],
      }),
    );
    const unmanaged = await createReview({ privateEndpointId: elsewhere }, d);
    expect([unmanaged.status, errorCode(unmanaged)]).toEqual([422, "RESOURCE_NOT_MANAGED"]);
    expect(d.client.starts).toEqual([]);
  });

  it("an endpoint we may not read starts an intake only in a subscription a known tenant registered", async () => {
    const d = reviewDeps();
    d.gateway.addEndpoint(anEndpoint(), { forbidden: true });
    const unknown = await createReview({ privateEndpointId: anEndpointId() }, d);
    expect(unknown.status).toBe(404);
    await d.bookkeeping.upsertTenant(aTenant());
    const known = await createReview({ privateEndpointId: anEndpointId() }, d);
    expect(known.status).toBe(202);
    expect(d.client.starts).toHaveLength(1);
  });

  it("a connection on a resource we do not manage is 422", async () => {
    const other =
      "/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/x/providers/Microsoft.Network/privateLinkServices/p/privateEndpointConnections/c";
    const res = await createReview({ connectionId: other }, reviewDeps());
    expect(res.status).toBe(422);
    expect(errorCode(res)).toBe("RESOURCE_NOT_MANAGED");
  });

  it("parses bodies defensively", () => {
    expect(parseJsonBody("{")).toMatchObject({ ok: false, response: { status: 400 } });
    expect(parseJsonBody(" ".repeat(20_000))).toMatchObject({ ok: false, response: { status: 413 } });
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});

describe("GET /api/connections", () => {
  it("filters by status, tenant and resource and validates each", async () => {
    const store = new InMemoryBookkeeping();
    const id = aConnectionId();
    await store.saveConnection({
      connectionId: id,
      state: "approved",
      providerResourceId: aPrivateLinkServiceId(),
      tenantId: "contoso",
      updatedAt: "t",
    });
    const ok = await listConnections(
      new URLSearchParams({ status: "approved", tenant: "contoso", resource: aPrivateLinkServiceId() }),
      store,
    );
    expect(ok.status).toBe(200);
    expect(ok.jsonBody).toMatchObject({ count: 1, connections: [{ key: encodeKey(id), connectionId: id }] });
    expect(errorCode(await listConnections(new URLSearchParams({ status: "weird" }), store))).toBe("STATUS_INVALID");
    expect(errorCode(await listConnections(new URLSearchParams({ tenant: "a b" }), store))).toBe("TENANT_INVALID");
    expect(errorCode(await listConnections(new URLSearchParams({ resource: "nope" }), store))).toBe("RESOURCE_INVALID");
    expect(errorCode(await listConnections(new URLSearchParams({ limit: "0" }), store))).toBe("LIMIT_INVALID");
  });

  it("one connection by key with its audit history; a bad key is 400, an unknown one 404", async () => {
    const store = new InMemoryBookkeeping();
    const id = aConnectionId();
    await store.saveConnection({
      connectionId: id,
      state: "approved",
      providerResourceId: aPrivateLinkServiceId(),
      ruleId: "known-tenant",
      updatedAt: "t",
    });
    await store.appendAudit({
      connectionId: id,
      stepId: "s",
      at: "t",
      kind: "decision",
      actor: "policy:known-tenant",
      message: "approve",
    });
    const res = await getConnection(encodeKey(id), store);
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ ruleId: "known-tenant", history: [{ stepId: "s" }] });
    expect((await getConnection("%%%/\\", store)).status).toBe(400);
    expect((await getConnection(encodeKey(aConnectionId({ name: "other" })), store)).status).toBe(404);
  });
});

describe("GET /api/health", () => {
  it("is healthy when settings are valid and storage answers", async () => {
    const res = await health({ config: () => ({}), ping: async () => {} });
    expect(res).toMatchObject({ status: 200, jsonBody: { status: "healthy" } });
  });

  it("names bad settings without their values, and skips storage", async () => {
    const res = await health({
      config: () => {
        throw new ConfigError(["TABLES_ENDPOINT is missing: set it."]);
      },
      ping: async () => {
        throw new Error("must not be called");
      },
    });
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.jsonBody)).toContain("TABLES_ENDPOINT");
  });

  it("says so when a Key Vault reference did not resolve (the settings as the platform passes them)", async () => {
    const env = {
      TABLES_ENDPOINT: "https://stpla.table.core.windows.net",
      MANAGED_RESOURCE_IDS: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg",
      DNS_ZONES_RESOURCE_GROUP_ID: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg",
      POLICY_SOURCE: "file:policy/default-policy.yaml",
      APPROVAL_SIGNING_KEY:
        "@Microsoft.KeyVault(SecretUri=https://kv-pla.vault.azure.net/secrets/approval-signing-key)",
    };
    const res = await health({ config: () => loadConfig(env), ping: async () => {} });
    expect(res.status).toBe(503);
    expect(res.jsonBody).toMatchObject({ status: "unhealthy", checks: { config: { ok: false } } });
    expect(JSON.stringify(res.jsonBody)).toContain("APPROVAL_SIGNING_KEY is an unresolved Key Vault reference");
  });

  it("reports unreachable storage with a code, not the error text", async () => {
    const res = await health({
      config: () => ({}),
      ping: async () => {
        throw Object.assign(new Error("AccountKey=secret leaked?"), { code: "STORAGE_UNAVAILABLE" });
      },
    });
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.jsonBody)).not.toContain("secret");
    expect(JSON.stringify(res.jsonBody)).toContain("STORAGE_UNAVAILABLE");
  });
});
