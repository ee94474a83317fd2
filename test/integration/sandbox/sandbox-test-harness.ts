import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import os from "node:os";
import path from "node:path";
import { ManagedIdentityCredential } from "@azure/identity";
import { contractRecorder } from "../../contracts/contract-recorder";
import { startSandbox, type CreatedEndpoint, type Sandbox, type SandboxOptions } from "../../../sandbox/index";

/** One sandbox per test file on free ports, a temporary data folder, and env vars restored afterwards. */
export interface TestSandbox {
  sandbox: Sandbox;
  credential: ManagedIdentityCredential;
  /** Options for any ARM client: only endpoint, CA and credential scopes differ from production. */
  armOptions: {
    endpoint: string;
    credentialScopes: string[];
    tlsOptions: { ca: string };
    retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  };
  control<T = unknown>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

const ENV_KEYS = [
  "IDENTITY_ENDPOINT",
  "IDENTITY_HEADER",
  "AZURE_CLIENT_ID",
  "MSI_ENDPOINT",
  "MSI_SECRET",
  "IMDS_ENDPOINT",
  "IDENTITY_SERVER_THUMBPRINT",
];

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "pla-sandbox-"));
  const contract = contractRecorder();
  const sandbox = await startSandbox({ port: 0, dataDir, onArmExchange: contract.observe, ...options });
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  process.env.IDENTITY_ENDPOINT = sandbox.identityEndpoint;
  process.env.IDENTITY_HEADER = sandbox.identityHeader;
  const credential = new ManagedIdentityCredential({ clientId: sandbox.estate.managedIdentity.clientId });
  const control = async <T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await caFetch(sandbox, route, method, body === undefined ? undefined : JSON.stringify(body));
    return { status: res.status, body: (res.text ? JSON.parse(res.text) : undefined) as T };
  };
  return {
    sandbox,
    credential,
    armOptions: {
      endpoint: sandbox.url,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions: { ca: sandbox.caPem },
      retryOptions: { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
    },
    control,
    stop: async () => {
      await sandbox.stop();
      for (const k of ENV_KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      rmSync(dataDir, { recursive: true, force: true });
      // Every answer the sandbox gave must be one Azure's REST spec allows.
      await contract.assertAllowed();
    },
  };
}

/** A raw HTTPS request trusting the sandbox CA (for the control API and hand-made ARM calls). */
export async function caFetch(
  sandbox: Sandbox,
  route: string,
  method = "GET",
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(route, sandbox.url),
      { method, ca: sandbox.caPem, headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export const SEED = {
  provider: "00000000-0000-0000-0000-000000000001",
  watchedConsumer: "00000000-0000-0000-0000-0000000000c1",
  unwatchedConsumer: "00000000-0000-0000-0000-0000000000c2",
  foreignConsumer: "00000000-0000-0000-0000-0000000000c3",
  plsId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg/providers/Microsoft.Network/privateLinkServices/orders-api-pls",
  postgresId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/contoso-pg-demo",
  storageId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg/providers/Microsoft.Storage/storageAccounts/contosodemostore",
  sqlId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg/providers/Microsoft.Sql/servers/contoso-sql-demo",
  keyVaultId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg/providers/Microsoft.KeyVault/vaults/contoso-kv-demo",
};

/** The body of POST /_sandbox/private-endpoints: in the watched consumer's spoke-rg unless `extra` says otherwise. */
export function endpointRequest(
  name: string,
  targetResourceId: string,
  extra: { subscriptionId?: string; resourceGroup?: string; requestMessage?: string } = {},
): Record<string, unknown> {
  return { subscriptionId: SEED.watchedConsumer, resourceGroup: "spoke-rg", name, targetResourceId, ...extra };
}

export async function createEndpoint(t: TestSandbox, body: Record<string, unknown>): Promise<CreatedEndpoint> {
  const res = await t.control<CreatedEndpoint>("POST", "/_sandbox/private-endpoints", body);
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`create endpoint failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
