import { describe, expect, it } from "vitest";
import type { ApiRequest } from "../../../src/app/operator-http";
import type { Principal } from "../../../src/app/principal";
import {
  getTenantRoute,
  offboardTenantRoute,
  patchTenantRoute,
  putTenantRoute,
  type TenantsDeps,
} from "../../../src/app/tenants-api";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";

const admin: Principal = { id: "1", name: "admin@contoso.example", identityProvider: "aad", roles: ["Admin"] };

function request(tenantId: string, body?: unknown, headers: Record<string, string> = {}): ApiRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    url: `http://localhost/api/tenants/${tenantId}`,
    params: { tenantId },
    query: new URLSearchParams(),
    headers: { get: (name) => lower[name.toLowerCase()] ?? null },
    text: async () => (body === undefined ? "" : JSON.stringify(body)),
  };
}

function setup() {
  const bookkeeping = new InMemoryBookkeeping();
  const deps: TenantsDeps = { bookkeeping, now: () => "2026-03-02T09:30:00.000Z" };
  return { bookkeeping, deps };
}

describe("tenants API", () => {
  it("creates, then changes only what PATCH names, over the version read", async () => {
    const { deps } = setup();
    const created = await putTenantRoute(request("contoso", { displayName: "Contoso", quota: 5 }), admin, deps);
    expect(created.status).toBe(201);
    const etag = created.headers!.ETag!;
    const patched = await patchTenantRoute(request("contoso", { quota: 9 }, { "If-Match": etag }), admin, deps);
    expect(patched).toMatchObject({ status: 200, jsonBody: { displayName: "Contoso", quota: 9 } });
    expect(patched.headers!.ETag).not.toBe(etag);
    const stale = await patchTenantRoute(request("contoso", { quota: 1 }, { "If-Match": etag }), admin, deps);
    expect(stale.status).toBe(412);
  });

  it("replaces whatever is stored with If-Match: *, and 404s when nothing is", async () => {
    const { deps } = setup();
    expect((await putTenantRoute(request("x", { displayName: "X" }, { "If-Match": "*" }), admin, deps)).status).toBe(
      404,
    );
    await putTenantRoute(request("x", { displayName: "X" }), admin, deps);
    const replaced = await putTenantRoute(request("x", { displayName: "Y" }, { "If-Match": "*" }), admin, deps);
    expect(replaced).toMatchObject({ status: 200, jsonBody: { displayName: "Y", approvers: [] } });
  });

  it("offboards once, keeps the tenant, and records who did what", async () => {
    const { deps } = setup();
    await putTenantRoute(request("fabrikam", { displayName: "Fabrikam" }), admin, deps);
    const first = await offboardTenantRoute(request("fabrikam"), admin, deps);
    const again = await offboardTenantRoute(request("fabrikam"), admin, deps);
    expect(first).toMatchObject({ status: 200, jsonBody: { status: "offboarded" } });
    expect(again).toMatchObject({ status: 200, jsonBody: { status: "offboarded" } });
    const read = await getTenantRoute(request("fabrikam"), deps);
    const history = (read.jsonBody as { history: { action: string; actor: string; at: string }[] }).history;
    expect(history.map((h) => h.action)).toEqual(["offboarded", "created"]);
    expect(history.every((h) => h.actor === admin.name && h.at === "2026-03-02T09:30:00.000Z")).toBe(true);
  });

  it("writes nothing for a refused change", async () => {
    const { bookkeeping, deps } = setup();
    for (const body of [{ displayName: "" }, { displayName: "X", usage: 3 }, { displayName: "X", tenantId: "y" }]) {
      const res = await putTenantRoute(request("x", body), admin, deps);
      expect(res.status).toBe(422);
    }
    expect((await putTenantRoute(request("bad id!", { displayName: "X" }), admin, deps)).status).toBe(400);
    expect(bookkeeping.tenants.size).toBe(0);
    expect(bookkeeping.tenantAudit).toEqual([]);
  });
});
