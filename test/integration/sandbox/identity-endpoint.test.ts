import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { NetworkManagementClient } from "@azure/arm-network";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caFetch, SEED, startTestSandbox, type TestSandbox } from "./sandbox-test-harness";

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => t?.stop());

async function rawToken(query: string, header?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.sandbox.identityEndpoint}?${query}`, {
    headers: header ? { "X-IDENTITY-HEADER": header } : {},
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("sandbox managed-identity endpoint (App Service 2019-08-01 protocol)", () => {
  it("serves DefaultAzureCredential through IDENTITY_ENDPOINT/IDENTITY_HEADER, and ARM accepts the token", async () => {
    const previous = process.env.AZURE_CLIENT_ID;
    process.env.AZURE_CLIENT_ID = t.sandbox.estate.managedIdentity.clientId;
    try {
      const credential = new DefaultAzureCredential();
      const token = await credential.getToken("https://management.azure.com/.default");
      expect(token.token.length).toBeGreaterThan(20);
      expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
      const network = new NetworkManagementClient(credential, SEED.provider, t.armOptions);
      const pls = await network.privateLinkServices.get("provider-rg", "orders-api-pls");
      expect(pls.name).toBe("orders-api-pls");
    } finally {
      if (previous === undefined) delete process.env.AZURE_CLIENT_ID;
      else process.env.AZURE_CLIENT_ID = previous;
    }
  });

  it("answers the documented shape and refuses a wrong header, a missing resource and a foreign client id", async () => {
    const ok = await rawToken(
      `resource=https://management.azure.com&api-version=2019-08-01&client_id=${SEED_CLIENT()}`,
      t.sandbox.identityHeader,
    );
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(["access_token", "client_id", "expires_on", "resource", "token_type"]);
    expect(ok.body.token_type).toBe("Bearer");
    expect((await rawToken("resource=https://management.azure.com&api-version=2019-08-01", "wrong")).status).toBe(401);
    expect((await rawToken("api-version=2019-08-01", t.sandbox.identityHeader)).status).toBe(400);
    const foreign = await rawToken(
      "resource=https://management.azure.com&api-version=2019-08-01&client_id=99999999-9999-9999-9999-999999999999",
      t.sandbox.identityHeader,
    );
    expect(foreign.status).toBe(400);
  });

  it("issues tokens ARM refuses when they were asked for another audience", async () => {
    const credential = new ManagedIdentityCredential({ clientId: SEED_CLIENT() });
    const storageToken = await credential.getToken("https://storage.azure.com/.default");
    const refused = await caFetch(t.sandbox, `${SEED.plsId}?api-version=2025-05-01`, "GET", undefined, {
      authorization: `Bearer ${storageToken.token}`,
    });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).error.code).toBe("InvalidAuthenticationTokenAudience");
  });
});

function SEED_CLIENT(): string {
  return t.sandbox.estate.managedIdentity.clientId;
}
