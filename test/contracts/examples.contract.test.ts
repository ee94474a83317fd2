import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caFetch, SEED, startTestSandbox, type TestSandbox } from "../integration/sandbox/sandbox-test-harness";
import { ContractChecker, SPECS_ROOT } from "./contract-checker";

/**
 * Every vendored x-ms-example is replayed against the sandbox: same status, the headers that matter for a
 * long-running operation, and the same shape (no property the example and the operation's spec lack).
 */
type Provider = "postgres" | "keyVault" | "storage" | "sql" | "pls" | "dnsRecord";

interface Replay {
  method: "GET" | "PUT" | "DELETE";
  provider: Provider;
  /** The example's operation acts on the resource itself (its GET, connections inline), not on a connection. */
  resource?: true;
  /**
   * Whether the body's shape is compared. Off only where neither a spec nor the example describes every property
   * Azure returns: the network examples show a bare connection, and privateLinkService.json is not vendored.
   */
  shape: boolean;
}

const EXAMPLES: Record<string, Replay> = {
  "postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2024-08-01/examples/ServerGet.json": {
    method: "GET",
    provider: "postgres",
    resource: true,
    shape: true,
  },
  "sql/resource-manager/Microsoft.Sql/stable/2023-08-01/examples/ServerGet.json": {
    method: "GET",
    provider: "sql",
    resource: true,
    shape: true,
  },
  "storage/resource-manager/Microsoft.Storage/stable/2023-05-01/Storage.Management/examples/2023-05-01/StorageAccountGetProperties.json":
    { method: "GET", provider: "storage", resource: true, shape: true },
  "keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/examples/getVault.json": {
    method: "GET",
    provider: "keyVault",
    resource: true,
    shape: true,
  },
  "postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2024-08-01/examples/PrivateEndpointConnectionGet.json":
    { method: "GET", provider: "postgres", shape: true },
  "postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2024-08-01/examples/PrivateEndpointConnectionUpdate.json":
    { method: "PUT", provider: "postgres", shape: true },
  "postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2024-08-01/examples/PrivateEndpointConnectionDelete.json":
    { method: "DELETE", provider: "postgres", shape: true },
  "keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/examples/getPrivateEndpointConnection.json": {
    method: "GET",
    provider: "keyVault",
    shape: true,
  },
  "keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/examples/putPrivateEndpointConnection.json": {
    method: "PUT",
    provider: "keyVault",
    shape: true,
  },
  "keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/examples/deletePrivateEndpointConnection.json": {
    method: "DELETE",
    provider: "keyVault",
    shape: true,
  },
  "storage/resource-manager/Microsoft.Storage/stable/2023-05-01/Storage.Management/examples/2023-05-01/StorageAccountGetPrivateEndpointConnection.json":
    { method: "GET", provider: "storage", shape: true },
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/examples/PrivateLinkServiceGetPrivateEndpointConnection.json":
    { method: "GET", provider: "pls", shape: false },
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/examples/PrivateLinkServiceUpdatePrivateEndpointConnection.json":
    { method: "PUT", provider: "pls", shape: false },
  "network/resource-manager/Microsoft.Network/stable/2025-05-01/examples/PrivateLinkServiceDeletePrivateEndpointConnection.json":
    { method: "DELETE", provider: "pls", shape: false },
  "privatedns/resource-manager/Microsoft.Network/stable/2020-06-01/examples/RecordSetAGet.json": {
    method: "GET",
    provider: "dnsRecord",
    shape: true,
  },
};

const PROVIDER_RG = `/subscriptions/${SEED.provider}/resourceGroups/provider-rg/providers`;
const TARGETS: Record<Exclude<Provider, "dnsRecord">, string> = {
  postgres: `${PROVIDER_RG}/Microsoft.DBforPostgreSQL/flexibleServers/contoso-pg-demo`,
  keyVault: `${PROVIDER_RG}/Microsoft.KeyVault/vaults/contoso-kv-demo`,
  storage: `${PROVIDER_RG}/Microsoft.Storage/storageAccounts/contosodemostore`,
  sql: `${PROVIDER_RG}/Microsoft.Sql/servers/contoso-sql-demo`,
  pls: SEED.plsId,
};
const DNS_RECORD = `/subscriptions/${SEED.provider}/resourceGroups/dns-rg/providers/Microsoft.Network/privateDnsZones/privatelink.postgres.database.azure.com/A/replayed`;

interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

function exampleFiles(dir = SPECS_ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return exampleFiles(full);
    return full.includes(`${path.sep}examples${path.sep}`) ? [path.relative(SPECS_ROOT, full)] : [];
  });
}

/** "/a/b/[]/c" paths of every property; the keys of user maps (tags, metadata) are data, not shape. */
function keyPaths(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${at}/[]`));
  if (!value || typeof value !== "object" || /\/(tags|metadata)$/.test(at)) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${at}/${k}`, ...keyPaths(v, `${at}/${k}`)]);
}

describe("every vendored Azure example replayed against the sandbox", () => {
  let t: TestSandbox;
  let token: string;
  const checker = ContractChecker.load();
  let counter = 0;

  beforeAll(async () => {
    t = await startTestSandbox();
    token = (await t.credential.getToken("https://management.azure.com/.default")).token;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const arm = async (method: string, route: string, body?: unknown) => {
    const res = await caFetch(t.sandbox, route, method, body === undefined ? undefined : JSON.stringify(body), {
      authorization: `Bearer ${token}`,
    });
    return { status: res.status, headers: res.headers, body: res.text ? (JSON.parse(res.text) as unknown) : undefined };
  };

  /** A resource the example's operation can act on: a fresh Pending connection, or an A record. */
  const existing = async (provider: Provider): Promise<string> => {
    counter += 1;
    if (provider === "dnsRecord") {
      const put = await arm("PUT", `${DNS_RECORD}?api-version=2020-06-01`, {
        properties: { ttl: 3600, metadata: { owner: "replay" }, aRecords: [{ ipv4Address: "10.1.0.4" }] },
      });
      expect(put.status).toBeLessThan(300);
      return DNS_RECORD;
    }
    const res = await t.control<{ connectionId: string }>("POST", "/_sandbox/private-endpoints", {
      subscriptionId: SEED.watchedConsumer,
      resourceGroup: "consumer-rg",
      name: `pe-replay-${counter}`,
      targetResourceId: TARGETS[provider],
    });
    expect(res.status).toBe(201);
    return res.body.connectionId;
  };

  it("covers every vendored example", () => {
    // Resource Graph's examples are queries, replayed in resource-graph.contract.test.ts.
    const resourceGraph = (f: string) => f.startsWith(`resourcegraph${path.sep}`);
    expect(
      exampleFiles()
        .filter((f) => !resourceGraph(f))
        .sort(),
    ).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const [file, replay] of Object.entries(EXAMPLES)) {
    it(`${replay.method} as in ${path.basename(file)}`, async () => {
      const example = JSON.parse(readFileSync(path.join(SPECS_ROOT, file), "utf8")) as Example;
      const apiVersion = String(example.parameters["api-version"]);
      const statuses = Object.keys(example.responses);
      const requestBody = Object.values(example.parameters).find(
        (v) => typeof v === "object" && v !== null && "properties" in v,
      );
      const connectionId = await existing(replay.provider);
      // A resource's GET is replayed with a connection on it, so its inline list is judged too.
      const id = replay.resource ? TARGETS[replay.provider as keyof typeof TARGETS] : connectionId;
      const answer = await arm(
        replay.method,
        `${id}?api-version=${apiVersion}`,
        replay.method === "PUT" ? requestBody : undefined,
      );
      expect(statuses).toContain(String(answer.status));

      const expected = example.responses[String(answer.status)]!;
      const lroHeaders = Object.keys(expected.headers ?? {}).filter((h) =>
        /^(azure-asyncoperation|location|retry-after)$/i.test(h),
      );
      for (const h of lroHeaders) expect(answer.headers[h.toLowerCase()], h).toBeDefined();

      if (replay.shape && answer.body !== undefined) {
        const described = checker.operationFor(replay.method, id, apiVersion);
        if (described) {
          const verdict = checker.check({
            method: replay.method,
            path: id,
            apiVersion,
            status: answer.status,
            headers: {},
            body: answer.body,
          });
          expect(verdict.problems).toEqual([]);
        } else {
          const known = new Set(keyPaths(expected.body));
          expect(keyPaths(answer.body).filter((p) => !known.has(p))).toEqual([]);
        }
      }

      if (replay.resource && answer.body !== undefined) {
        const inline = (answer.body as { properties?: { privateEndpointConnections?: { id?: string }[] } }).properties
          ?.privateEndpointConnections;
        expect(inline?.map((c) => c.id)).toContain(connectionId);
      }

      if (statuses.includes("204") && replay.method !== "PUT") {
        const absent = await arm(replay.method, `${id.replace(/[^/]+$/, "never-was")}?api-version=${apiVersion}`);
        expect(absent.status).toBe(204);
      }
    });
  }
});
