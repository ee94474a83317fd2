import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EstateSeed } from "../estate/seed-types";
import { listen } from "../http/serve-request";
import type { TokenStore } from "./token-store";

const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * The App Service managed-identity protocol (api-version 2019-08-01): `GET {IDENTITY_ENDPOINT}?resource=..&api-version=..
 * [&client_id=..]` with `X-IDENTITY-HEADER`. Plain HTTP on loopback, as App Service serves it; MSAL accepts http here.
 */
export async function startTokenEndpoint(
  identity: EstateSeed["managedIdentity"],
  secretHeader: string,
  tokens: TokenStore,
  port = 0,
): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, body: Record<string, unknown>): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string): void =>
      reply(status, { statusCode: status, message, correlationId: "00000000-0000-0000-0000-000000000000" });

    if (req.method !== "GET" || url.pathname !== "/msi/token") return fail(404, "Use GET /msi/token.");
    if (req.headers["x-identity-header"] !== secretHeader) {
      return fail(401, "The X-IDENTITY-HEADER header is missing or wrong; send the IDENTITY_HEADER value.");
    }
    if (url.searchParams.get("api-version") !== "2019-08-01") {
      return fail(400, "Unsupported api-version; this endpoint speaks 2019-08-01.");
    }
    const resource = url.searchParams.get("resource");
    if (!resource) return fail(400, "The resource query parameter is required, e.g. https://management.azure.com.");
    const clientId = url.searchParams.get("client_id");
    const objectId = url.searchParams.get("object_id") ?? url.searchParams.get("principal_id");
    if ((clientId && clientId !== identity.clientId) || (objectId && objectId !== identity.objectId)) {
      return fail(400, "No managed identity with that id is assigned to this app; use the seed's managedIdentity.");
    }
    if (url.searchParams.get("mi_res_id")) {
      return fail(400, "Selecting the identity by resource id is not simulated; use client_id.");
    }
    const expiresOn = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS;
    const accessToken = tokens.issue({ ...identity, resource, expiresOn });
    reply(200, {
      access_token: accessToken,
      expires_on: String(expiresOn),
      resource,
      token_type: "Bearer",
      client_id: identity.clientId,
    });
  });
  await listen(server, port);
  const { port: actual } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${actual}/msi/token` };
}
