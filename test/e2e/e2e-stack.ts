/**
 * The real stack for end-to-end tests: Azurite (in memory), the sandbox (in this process) and the devhost running
 * the compiled app in a child process, all on free loopback ports. `npm test` builds dist/ before the tests run.
 */
import https from "node:https";
import path from "node:path";
import { encodeKey } from "../../src/domain/arm-id";
import { contractRecorder } from "../contracts/contract-recorder";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../scripts/local-stack";

export const repoRoot = path.resolve(__dirname, "..", "..");

export interface E2eStack extends LocalStack {
  /** Calls the app's HTTP API with the local key. */
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Calls the sandbox (control API or ARM with a managed-identity token). */
  sandboxCall(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** Sends raw text to the sandbox; the status, or undefined when it did not answer. */
  sandboxRaw(method: string, route: string, body?: string): Promise<number | undefined>;
  /** Calls ARM on the sandbox with the managed identity's token, as the app does. */
  arm(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The ARM path of an A record set in the central zones' resource group. */
  aRecordPath(zone: string, name: string): string;
  createEndpoint(input: {
    consumer: { subscriptionId: string; tenantId: string };
    name: string;
    targetResourceId: string;
    requestMessage?: string;
  }): Promise<{ privateEndpointId: string; connectionId: string }>;
  /** Polls the app until the connection reaches one of `states`; returns the record it last saw. */
  waitForConnection(connectionId: string, states: string[], timeoutMs?: number): Promise<any>;
  /** Moves the devhost's manual clock; answers once the runtime is idle again (due timers fired). */
  advanceTime(ms: number): Promise<void>;
  /** Runs a timer function now through the host's admin API, as `POST /admin/functions/<name>` does on Azure. */
  fireTimer(name: string): Promise<void>;
  calls(): Promise<{ counters: Record<string, { count: number; statuses: Record<string, number> }>; calls: any[] }>;
}

export async function startE2eStack(options: Partial<LocalStackOptions> = {}): Promise<E2eStack> {
  const contract = contractRecorder();
  const stack = await startLocalStack({
    root: repoRoot,
    ports: { devhost: 0, sandbox: 0, azurite: 0 },
    devhostMode: "child",
    schedule: false,
    onArmExchange: contract.observe,
    ...options,
  });
  const sandboxText = (method: string, route: string, payload?: string, token?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const headers: Record<string, string> = payload !== undefined ? { "content-type": "application/json" } : {};
      if (token) headers.authorization = `Bearer ${token}`;
      const req = https.request(
        new URL(route, stack.sandbox.url),
        { method, ca: stack.sandbox.caPem, headers },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  const sandboxCall: E2eStack["sandboxCall"] = async (method, route, body, token) => {
    const { status, text } = await sandboxText(
      method,
      route,
      body === undefined ? undefined : JSON.stringify(body),
      token,
    );
    return { status, body: text ? JSON.parse(text) : undefined };
  };
  const sandboxRaw: E2eStack["sandboxRaw"] = (method, route, body) =>
    sandboxText(method, route, body).then(
      (r) => r.status,
      () => undefined,
    );
  const armToken = async (): Promise<string> => {
    const url = new URL(stack.sandbox.identityEndpoint);
    url.searchParams.set("resource", "https://management.azure.com/");
    url.searchParams.set("api-version", "2019-08-01");
    const res = await fetch(url, { headers: { "X-IDENTITY-HEADER": stack.sandbox.identityHeader } });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const api: E2eStack["api"] = async (method, route, body) => {
    const res = await fetch(`${stack.devhost.url}/api${route}`, {
      method,
      headers: { "content-type": "application/json", "x-functions-key": stack.devhost.localKey },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed };
  };
  return {
    ...stack,
    stop: async () => {
      await stack.stop();
      // Every answer the sandbox gave the app must be one Azure's REST spec allows.
      await contract.assertAllowed();
    },
    api,
    sandboxCall,
    sandboxRaw,
    arm: async (method, path, body) => sandboxCall(method, path, body, await armToken()),
    aRecordPath: (zone, name) =>
      `${stack.sandbox.estate.dns.resourceGroupId}/providers/Microsoft.Network/privateDnsZones/${zone}/A/${name}?api-version=2020-06-01`,
    createEndpoint: async ({ consumer, name, targetResourceId, requestMessage }) => {
      const res = await sandboxCall("POST", "/_sandbox/private-endpoints", {
        subscriptionId: consumer.subscriptionId,
        tenantId: consumer.tenantId,
        resourceGroup: "spoke-rg",
        name,
        targetResourceId,
        ...(requestMessage ? { requestMessage } : {}),
      });
      if (res.status >= 300) throw new Error(`sandbox refused the endpoint: ${JSON.stringify(res.body)}`);
      return res.body as { privateEndpointId: string; connectionId: string };
    },
    waitForConnection: async (connectionId, states, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < deadline) {
        const res = await api("GET", `/connections/${encodeKey(connectionId)}`);
        if (res.status === 200) {
          last = res.body.connection ?? res.body;
          if (states.includes(last.state)) return res.body;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`connection did not reach ${states.join("|")} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    },
    advanceTime: async (ms) => {
      const res = await fetch(`${stack.devhost.url}/admin/devhost/advance-time`, {
        method: "POST",
        headers: { "x-functions-key": stack.devhost.keys.master, "content-type": "application/json" },
        body: JSON.stringify({ ms }),
      });
      if (res.status !== 204) throw new Error(`the host did not move its clock: ${res.status} ${await res.text()}`);
    },
    fireTimer: async (name) => {
      const res = await fetch(`${stack.devhost.url}/admin/functions/${name}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-functions-key": stack.devhost.keys.master },
        body: JSON.stringify({ input: "" }),
      });
      if (res.status >= 300) throw new Error(`the host refused to run ${name}: ${res.status} ${await res.text()}`);
    },
    calls: async () => (await sandboxCall("GET", "/_sandbox/calls")).body,
  };
}

/** The parts of `/_sandbox/estate` the tests use. */
export function estateOf(stack: LocalStack) {
  const estate = stack.sandbox.estate;
  const resource = (type: string) => {
    const found = estate.provider.resources.find((r) => r.type.toLowerCase() === type.toLowerCase());
    if (!found) throw new Error(`no ${type} in the seed`);
    return found;
  };
  const consumer = (pick: (c: (typeof estate.consumers)[number]) => boolean) => {
    const found = estate.consumers.find(pick);
    if (!found) throw new Error("no such consumer in the seed");
    return found;
  };
  return {
    postgres: resource("Microsoft.DBforPostgreSQL/flexibleServers"),
    storage: resource("Microsoft.Storage/storageAccounts"),
    sql: resource("Microsoft.Sql/servers"),
    keyVault: resource("Microsoft.KeyVault/vaults"),
    pls: resource("Microsoft.Network/privateLinkServices"),
    knownWatched: consumer((c) => c.watched && c.readableByApp),
    foreign: consumer((c) => !c.readableByApp),
    dnsResourceGroupId: estate.dns.resourceGroupId,
  };
}
