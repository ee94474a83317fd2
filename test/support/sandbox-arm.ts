/** Builds the app's real ARM adapters against a running sandbox (real SDK clients over HTTPS with its CA). */
import { request } from "node:https";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { ArmConnectionGateway } from "../../src/adapters/arm/arm-connection-gateway";
import { ArmDnsRegistrar } from "../../src/adapters/arm/arm-dns-registrar";
import { TimeoutCredential } from "../../src/adapters/identity/timeout-credential";
import { afterAll, beforeAll } from "vitest";
import { startSandbox, type CreatedEndpoint, type Sandbox } from "../../sandbox";
import { contractRecorder } from "../contracts/contract-recorder";

export type { CreatedEndpoint };

export const SANDBOX_CLIENT_ID = "00000000-0000-0000-0000-000000000000";
export const DNS_RG_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg";
export const PROVIDER_RG_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg";

/** The real ManagedIdentityCredential, taking the App Service path the sandbox serves. */
export function sandboxCredential(sandbox: Sandbox): TokenCredential {
  process.env.IDENTITY_ENDPOINT = sandbox.identityEndpoint;
  process.env.IDENTITY_HEADER = sandbox.identityHeader;
  return new TimeoutCredential(new ManagedIdentityCredential({ clientId: SANDBOX_CLIENT_ID }), 10_000);
}

export function sandboxAdapters(sandbox: Sandbox, credential: TokenCredential) {
  const options = {
    endpoint: sandbox.url,
    credentialScopes: ["https://management.azure.com/.default"],
    tlsOptions: { ca: sandbox.caPem },
  };
  const gateway = new ArmConnectionGateway(
    {
      network: (sub) => new NetworkManagementClient(credential, sub, options),
      resources: (sub) => new ResourceManagementClient(credential, sub, options),
    },
    { pollIntervalMs: 20, callTimeoutMs: 20_000, endpoint: sandbox.url },
  );
  const dns = new ArmDnsRegistrar((sub) => new PrivateDnsManagementClient(credential, sub, options), DNS_RG_ID);
  return { gateway, dns };
}

/**
 * A sandbox on a free port for the whole test file, with the real ARM adapters pointed at it; the managed-identity
 * variables it sets are restored afterwards. Read `.sandbox` and `.adapters` inside tests, after beforeAll ran.
 */
export function useSandboxAdapters(): { sandbox: Sandbox; adapters: ReturnType<typeof sandboxAdapters> } {
  const state = {} as { sandbox: Sandbox; adapters: ReturnType<typeof sandboxAdapters> };
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  const contract = contractRecorder();
  beforeAll(async () => {
    state.sandbox = await startSandbox({ port: 0, onArmExchange: contract.observe });
    state.adapters = sandboxAdapters(state.sandbox, sandboxCredential(state.sandbox));
  });
  afterAll(async () => {
    await state.sandbox?.stop();
    // Every answer the sandbox gave this suite must be one Azure's REST spec allows.
    await contract.assertAllowed();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return state;
}

/** Calls the sandbox control API (/_sandbox/...). */
export function control<T>(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, sandbox.url);
    const req = request(
      url,
      { method, ca: sandbox.caPem, headers: body === undefined ? {} : { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

export async function createEndpoint(
  sandbox: Sandbox,
  input: {
    subscriptionId: string;
    name: string;
    targetResourceId: string;
    groupId?: string;
    requestMessage?: string;
    customDnsConfigs?: boolean;
  },
): Promise<CreatedEndpoint> {
  const res = await control<CreatedEndpoint>(sandbox, "POST", "/_sandbox/private-endpoints", {
    resourceGroup: "consumer-rg",
    ...input,
  });
  if (res.status >= 300) throw new Error(`sandbox refused the endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
