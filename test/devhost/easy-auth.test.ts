import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Devhost } from "../../devhost";
import { signIn } from "../support/easy-auth";
import { call, startSampleHost } from "./support";

let host: Devhost;
beforeAll(async () => {
  host = await startSampleHost({ log: () => undefined });
});
afterAll(async () => {
  await host?.stop();
});

const whoami = (headers: Record<string, string> = {}) => call(`${host.url}/api/whoami`, { headers });

describe("the local App Service authentication stand-in", () => {
  it("passes no principal for an anonymous caller, and strips one the caller forged", async () => {
    expect((await whoami()).json).toEqual({ name: null, id: null, principal: null });
    const forged = await whoami({
      "x-ms-client-principal-name": "admin@contoso.example",
      "X-MS-CLIENT-PRINCIPAL-ID": "forged",
      "x-ms-client-principal": Buffer.from('{"claims":[{"typ":"roles","val":"Admin"}]}').toString("base64"),
    });
    expect(forged.json).toEqual({ name: null, id: null, principal: null });
  });

  it("sets the principal headers for a signed-in caller, with its roles in the claims", async () => {
    const cookie = await signIn(host.url, { name: "ada@contoso.example", roles: ["Approver", "Wizard"] });
    const r = await whoami({ cookie, "x-ms-client-principal-name": "someone-else" });
    expect(r.json.name).toBe("ada@contoso.example");
    const claims = JSON.parse(Buffer.from(r.json.principal, "base64").toString("utf8")).claims;
    expect(claims.filter((c: { typ: string }) => c.typ === "roles").map((c: { val: string }) => c.val)).toEqual([
      "Approver",
    ]);
    const me = await call(`${host.url}/.auth/me`, { headers: { cookie } });
    expect(me.json[0]).toMatchObject({ user_id: "ada@contoso.example", user_roles: ["Approver"] });
  });

  it("refuses a tampered session cookie", async () => {
    const cookie = await signIn(host.url, { name: "reader@contoso.example", roles: ["Reader"] });
    const [payload, signature] = cookie.split("=")[1]!.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, roles: ["Admin"] })).toString("base64url");
    const r = await whoami({ cookie: `DevhostAuthSession=${forgedPayload}.${signature}` });
    expect(r.json.name).toBeNull();
    expect(
      (await call(`${host.url}/.auth/me`, { headers: { cookie: `DevhostAuthSession=${forgedPayload}.${signature}` } }))
        .status,
    ).toBe(401);
  });

  it("serves a sign-in form, redirects only within the host, and refuses bad names", async () => {
    const form = await call(`${host.url}/.auth/login/local?post_login_redirect_uri=/api/hello`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('name="post_login_redirect_uri" value="/api/hello"');
    const redirected = await fetch(`${host.url}/.auth/login/local`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=ada%40contoso.example&roles=Reader&post_login_redirect_uri=%2Fapi%2Fhello",
    });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get("location")).toBe("/api/hello");
    const offsite = await fetch(`${host.url}/.auth/login/local`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=ada%40contoso.example&post_login_redirect_uri=%2F%2Fevil.example%2F",
    });
    expect(offsite.status).toBe(200);
    const bad = await fetch(`${host.url}/.auth/login/local`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "<script>" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("BadSignIn");
    expect((await call(`${host.url}/.auth/nothing`)).status).toBe(404);
  });
});
