import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { firstHeader } from "./request-parts";
import { readBody, sendError, sendJson } from "./respond";

/**
 * A local stand-in for App Service authentication (Easy Auth) with Entra ID: a sign-in page at
 * `/.auth/login/local`, a session cookie, `/.auth/me` and `/.auth/logout`, and the `X-MS-CLIENT-PRINCIPAL*` headers
 * on every request of a signed-in caller. As App Service does, it strips those headers from what callers send, so a
 * caller can only be who it signed in as. Anyone on loopback may sign in as anyone: it is a development host.
 */
export const SESSION_COOKIE = "DevhostAuthSession";
const AUTH_PREFIX = "/.auth/";
const KNOWN_ROLES = ["Reader", "Approver", "Admin"];
const SESSION_HOURS = 8;

export interface LocalIdentity {
  name: string;
  roles: string[];
}

export class EasyAuth {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  /** Removes caller-supplied principal headers, then adds the signed-in caller's, as App Service does. */
  applyTo(req: IncomingMessage): void {
    for (const name of Object.keys(req.headers)) {
      if (name.toLowerCase().startsWith("x-ms-client-principal")) delete req.headers[name];
    }
    const identity = this.sessionOf(req);
    if (identity) Object.assign(req.headers, principalHeaders(identity));
  }

  /** True when the request was for `/.auth/...` and has been answered. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(AUTH_PREFIX)) return false;
    const action = url.pathname.slice(AUTH_PREFIX.length).replace(/\/$/, "");
    const method = (req.method ?? "GET").toUpperCase();
    // "login/aad" is App Service's Entra sign-in path: pages link there, and locally it is this same stand-in.
    const login = action === "login/local" || action === "login/aad";
    if (login && method === "GET") {
      sendHtml(res, 200, signInPage(safeRedirect(url.searchParams.get("post_login_redirect_uri"))));
    } else if (login && method === "POST") {
      await this.signIn(req, res);
    } else if (action === "me" && method === "GET") {
      const identity = this.sessionOf(req);
      if (!identity) sendError(res, 401, "NotSignedIn", "Sign in at /.auth/login/local first.");
      else sendJson(res, 200, [{ provider_name: "aad", user_id: identity.name, user_roles: identity.roles }]);
    } else if (action === "logout") {
      res.writeHead(302, { location: "/", "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; Max-Age=0` });
      res.end();
    } else {
      sendError(
        res,
        404,
        "RouteNotFound",
        "The local sign-in serves /.auth/login/local (also as /.auth/login/aad), /.auth/me and /.auth/logout.",
      );
    }
    return true;
  }

  private sessionCookie(identity: LocalIdentity, now = Date.now()): string {
    const payload = Buffer.from(JSON.stringify({ ...identity, exp: now + SESSION_HOURS * 3_600_000 }), "utf8").toString(
      "base64url",
    );
    return `${payload}.${this.sign(payload)}`;
  }

  private async signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let fields: URLSearchParams;
    try {
      const text = (await readBody(req, 16_384)).toString("utf8");
      const json = (firstHeader(req, "content-type") ?? "").includes("application/json");
      fields = json ? jsonFields(text) : new URLSearchParams(text);
    } catch {
      return sendError(res, 400, "BadSignIn", "Send a form or JSON with name and roles (at most 16 KiB).");
    }
    const name = (fields.get("name") ?? "").trim();
    if (!/^[^\s<>"]{1,128}$/.test(name)) {
      return sendError(
        res,
        400,
        "BadSignIn",
        "Give a name such as an email address (no spaces, 128 characters at most).",
      );
    }
    const roles = fields
      .getAll("roles")
      .flatMap((r) => r.split(","))
      .map((r) => r.trim())
      .filter((r) => KNOWN_ROLES.includes(r));
    const cookie = `${SESSION_COOKIE}=${this.sessionCookie({ name, roles })}; Path=/; HttpOnly; SameSite=Lax`;
    const redirect = safeRedirect(fields.get("post_login_redirect_uri"));
    if (redirect) {
      res.writeHead(302, { location: redirect, "set-cookie": cookie });
      res.end();
    } else {
      sendJson(res, 200, { name, roles }, { "set-cookie": cookie });
    }
  }

  private sessionOf(req: IncomingMessage): LocalIdentity | undefined {
    const value = cookieValue(firstHeader(req, "cookie"), SESSION_COOKIE);
    const [payload, signature] = value?.split(".") ?? [];
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as LocalIdentity & { exp: number };
      return parsed.exp > Date.now() ? { name: parsed.name, roles: parsed.roles } : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }
}

/** The headers App Service sets for an Entra user (claim types as Entra ID tokens carry them). */
export function principalHeaders(identity: LocalIdentity): Record<string, string> {
  const id = createHash("sha256").update(identity.name.toLowerCase()).digest("hex").slice(0, 32);
  const principal = {
    auth_typ: "aad",
    claims: [
      { typ: "name", val: identity.name },
      { typ: "preferred_username", val: identity.name },
      { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: id },
      ...identity.roles.map((role) => ({ typ: "roles", val: role })),
    ],
    name_typ: "preferred_username",
    role_typ: "roles",
  };
  return {
    "x-ms-client-principal": Buffer.from(JSON.stringify(principal), "utf8").toString("base64"),
    "x-ms-client-principal-name": identity.name,
    "x-ms-client-principal-id": id,
    "x-ms-client-principal-idp": "aad",
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

function jsonFields(text: string): URLSearchParams {
  const body = JSON.parse(text) as { name?: unknown; roles?: unknown; post_login_redirect_uri?: unknown };
  const fields = new URLSearchParams();
  if (typeof body.name === "string") fields.set("name", body.name);
  for (const role of Array.isArray(body.roles) ? body.roles : [])
    if (typeof role === "string") fields.append("roles", role);
  if (typeof body.post_login_redirect_uri === "string")
    fields.set("post_login_redirect_uri", body.post_login_redirect_uri);
  return fields;
}

/** Only a path on this host: an open redirect would let a link send a signed-in approver anywhere. */
function safeRedirect(value: string | null): string | undefined {
  return value && /^\/(?![/\\])/.test(value) ? value : undefined;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function signInPage(redirect: string | undefined): string {
  const roles = KNOWN_ROLES.map(
    (r) => `<label><input type="checkbox" name="roles" value="${r}"${r === "Reader" ? " checked" : ""}> ${r}</label>`,
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in (local)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.5rem 0}input[type=text]{width:100%;padding:.5rem}button{padding:.5rem 1.5rem}</style>
</head><body>
<h1>Sign in</h1>
<p>Local stand-in for Microsoft Entra sign-in (App Service authentication). In Azure this page is Microsoft's.</p>
<form method="post" action="/.auth/login/local">
<label>Name (UPN or email) <input type="text" name="name" required autocomplete="username"></label>
<fieldset><legend>App roles</legend>
${roles}
</fieldset>
${redirect ? `<input type="hidden" name="post_login_redirect_uri" value="${escapeHtml(redirect)}">` : ""}
<button type="submit">Sign in</button>
</form>
</body></html>`;
}
