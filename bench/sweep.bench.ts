import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { defaultSeedFile } from "../sandbox/estate/seed-loader";
import type { EstateSeed } from "../sandbox/estate/seed-types";
import { startLocalStack, type LocalStack } from "../scripts/local-stack";
import API_VERSIONS from "../src/adapters/arm/api-versions.json";
import { armToken } from "./arm-token";
import type { BenchRow, BenchSuite } from "./harness";

/**
 * The sweep at estate scale: a sandbox estate of RESOURCES managed resources holding CONNECTIONS Pending requests from
 * unwatched subscriptions (no event announces them), ARM slowed by LATENCY_MS per call. Each mode runs on a fresh
 * stack: the durable sweep listing through Resource Graph, the durable sweep listing per resource, and a naive
 * baseline (one resource, one read and one review start after another, as the sweep did in one timer call).
 * Sizes are flags (environment) because the full size is slow on a small shared machine.
 */
const RESOURCES = Number(process.env.SWEEP_BENCH_RESOURCES ?? 500);
const CONNECTIONS = Number(process.env.SWEEP_BENCH_CONNECTIONS ?? 10_000);
const LATENCY_MS = Number(process.env.SWEEP_BENCH_LATENCY_MS ?? 20);
/** Which modes run (comma-separated); all three by default, the naive one being the baseline. */
const MODES = (process.env.SWEEP_BENCH_MODES ?? "resource-graph,per-resource,naive")
  .split(",")
  .map((m) => m.trim())
  .filter((m): m is Mode => m === "resource-graph" || m === "per-resource" || m === "naive");
/** Endpoints per consumer subscription: its /24 subnet hands out addresses from .4 up. */
const PER_CONSUMER = 200;
const PAAS_TYPES = [
  "Microsoft.DBforPostgreSQL/flexibleServers",
  "Microsoft.Storage/storageAccounts",
  "Microsoft.Sql/servers",
  "Microsoft.KeyVault/vaults",
];
const ROOT = path.resolve(__dirname, "..", "..");

/** Progress on stderr: the full size runs for minutes. */
const progress = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);

type Mode = "resource-graph" | "per-resource" | "naive";

interface Counters {
  [operation: string]: { count: number };
}

/** The demo seed with RESOURCES PaaS resources and enough unwatched consumer subscriptions for CONNECTIONS. */
function benchSeed(dir: string): string {
  const seed = JSON.parse(readFileSync(defaultSeedFile(), "utf8")) as EstateSeed;
  // Nothing watches the provider: only the sweep finds the requests.
  seed.provider.watched = false;
  seed.provider.privateLinkServices = [];
  seed.provider.paasResources = Array.from({ length: RESOURCES }, (_, i) => ({
    type: PAAS_TYPES[i % PAAS_TYPES.length]!,
    name: `bench${String(i).padStart(4, "0")}`,
  }));
  const consumers = Math.ceil(CONNECTIONS / PER_CONSUMER);
  seed.consumers = Array.from({ length: consumers }, (_, i) => ({
    subscriptionId: `00000000-0000-0000-0000-0000000b${String(i).padStart(4, "0")}`,
    tenantId: "40000000-0000-0000-0000-000000000004",
    displayName: `Bench spoke ${i}`,
    watched: false,
    readableByApp: true,
    location: "westeurope",
    subnetPrefix: `10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`,
  }));
  const file = path.join(dir, "estate.seed.json");
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

function sandboxCall(stack: LocalStack, method: string, route: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(route, stack.sandbox.url),
      { method, ca: stack.sandbox.caPem, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () =>
          (res.statusCode ?? 500) < 300
            ? resolve(text ? JSON.parse(text) : undefined)
            : reject(new Error(`${method} ${route}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function appCall(stack: LocalStack, method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${stack.devhost.url}${route}`, {
    method,
    headers: { "content-type": "application/json", "x-functions-key": stack.devhost.keys.master },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** CONNECTIONS Pending endpoints spread over the resources, from the unwatched consumers. */
async function createRequests(stack: LocalStack, seed: EstateSeed): Promise<void> {
  const rg = `/subscriptions/${seed.provider.subscriptionId}/resourceGroups/${seed.provider.resourceGroup}`;
  const jobs = Array.from({ length: CONNECTIONS }, (_, i) => i);
  const create = async (i: number) => {
    const resource = seed.provider.paasResources[i % RESOURCES]!;
    const consumer = seed.consumers[Math.floor(i / PER_CONSUMER)]!;
    await sandboxCall(stack, "POST", "/_sandbox/private-endpoints", {
      subscriptionId: consumer.subscriptionId,
      tenantId: consumer.tenantId,
      resourceGroup: "spoke-rg",
      name: `pe${i}`,
      targetResourceId: `${rg}/providers/${resource.type}/${resource.name}`,
    });
  };
  for (let i = 0; i < jobs.length; i += 50) await Promise.all(jobs.slice(i, i + 50).map(create));
}

/** ARM calls by kind from the sandbox's exact per-operation counters. */
function byKind(counters: Counters): { listPages: number; reads: number; writes: number; other: number } {
  const out = { listPages: 0, reads: 0, writes: 0, other: 0 };
  for (const [operation, { count }] of Object.entries(counters)) {
    if (operation.endsWith("(list)") || /resourcegraph/i.test(operation)) out.listPages += count;
    else if (operation.startsWith("GET ")) out.reads += count;
    else if (/^(PUT|PATCH|DELETE) /.test(operation)) out.writes += count;
    else out.other += count;
  }
  return out;
}

/** The old way: one resource, then each of its connections read and its review started, one after another. */
async function naiveSweep(stack: LocalStack, seed: EstateSeed): Promise<number> {
  const rg = `/subscriptions/${seed.provider.subscriptionId}/resourceGroups/${seed.provider.resourceGroup}`;
  const token = await armToken(stack);
  const arm = (p: string) => armGet(stack, token, p);
  let started = 0;
  for (const resource of seed.provider.paasResources) {
    const id = `${rg}/providers/${resource.type}/${resource.name}`;
    const version = (API_VERSIONS as Record<string, string>)[resource.type]!;
    let next: string | undefined = `${id}/privateEndpointConnections?api-version=${version}`;
    while (next) {
      const page = (await arm(next)) as { value: { id: string }[]; nextLink?: string };
      for (const c of page.value) {
        await arm(`${c.id}?api-version=${version}`);
        const res = await appCall(stack, "POST", "/api/reviews", { connectionId: c.id });
        if (res.status < 300) started++;
      }
      next = page.nextLink ? new URL(page.nextLink).pathname + new URL(page.nextLink).search : undefined;
    }
  }
  return started;
}

function armGet(stack: LocalStack, token: string, route: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(route, stack.sandbox.url),
      { method: "GET", ca: stack.sandbox.caPem, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () =>
          (res.statusCode ?? 500) < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${route}: ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Fires the sweep timer and waits for its report. */
async function durableSweep(stack: LocalStack): Promise<number> {
  const fired = await fetch(`${stack.devhost.url}/admin/functions/sweep`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": stack.devhost.keys.master },
    body: '{"input":""}',
  });
  if (fired.status >= 300) throw new Error(`the sweep timer answered ${fired.status}`);
  // The sweep's own output (the report it saved), read from the durable API: it stays answerable while the reviews
  // the sweep started keep the app busy. Its id comes from the tick, so it is found once by prefix, then read alone:
  // listing every instance each second would load the host the bench measures.
  let instanceId: string | undefined;
  for (;;) {
    instanceId ??= (await durableApi<SweepInstance[]>(stack, "/instances?instanceIdPrefix=sweep-"))[0]?.instanceId;
    const sweep = instanceId
      ? await durableApi<SweepInstance>(stack, `/instances/${encodeURIComponent(instanceId)}`)
      : undefined;
    if (sweep?.runtimeStatus === "Completed") {
      const report = sweep.output as { started: number; alreadyRunning: number; errors: unknown[] };
      if (report.errors.length > 0) throw new Error(`the sweep reported errors: ${JSON.stringify(report.errors)}`);
      return report.started + report.alreadyRunning;
    }
    if (sweep && sweep.runtimeStatus !== "Running" && sweep.runtimeStatus !== "Pending") {
      throw new Error(`the sweep ended ${sweep.runtimeStatus}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

interface SweepInstance {
  instanceId: string;
  runtimeStatus: string;
  output: unknown;
}

/** A durable API read (the system key), answered as JSON. */
async function durableApi<T>(stack: LocalStack, route: string): Promise<T> {
  const res = await fetch(`${stack.devhost.url}/runtime/webhooks/durabletask${route}`, {
    headers: { "x-functions-key": stack.devhost.keys.durableTask },
  });
  if (res.status >= 300) throw new Error(`${route} answered ${res.status}`);
  return (await res.json()) as T;
}

async function runMode(mode: Mode, seedFile: string): Promise<BenchRow[]> {
  const seed = JSON.parse(readFileSync(seedFile, "utf8")) as EstateSeed;
  const stack = await startLocalStack({
    root: ROOT,
    ports: { devhost: 0, sandbox: 0, azurite: 0 },
    devhostMode: "child",
    schedule: false,
    seedFile,
    settings: { SWEEP_LISTING: mode === "resource-graph" ? "resource-graph" : "per-resource" },
  });
  try {
    progress(`${mode}: stack up; creating ${CONNECTIONS} requests`);
    await createRequests(stack, seed);
    progress(`${mode}: requests created; sweeping`);
    await sandboxCall(stack, "DELETE", "/_sandbox/calls");
    await sandboxCall(stack, "POST", "/_sandbox/faults", { latencyMs: LATENCY_MS, seed: 14 });
    const begin = performance.now();
    const started = mode === "naive" ? await naiveSweep(stack, seed) : await durableSweep(stack);
    const seconds = (performance.now() - begin) / 1000;
    progress(`${mode}: swept in ${seconds.toFixed(1)} s`);
    const { counters } = (await sandboxCall(stack, "GET", "/_sandbox/calls")) as { counters: Counters };
    const calls = byKind(counters);
    const label = `${mode}: ${RESOURCES} resources, ${CONNECTIONS} connections, ${LATENCY_MS} ms per ARM call`;
    return [
      { name: `${label}: wall time until every review is started`, unit: "s", median: seconds },
      { name: `${label}: reviews started per second (${started} started)`, unit: "/s", median: started / seconds },
      { name: `${label}: ARM list pages (incl. Resource Graph pages)`, unit: "calls", median: calls.listPages },
      { name: `${label}: ARM reads (the reviews' reads included)`, unit: "calls", median: calls.reads },
      { name: `${label}: ARM writes (the reviews' decisions)`, unit: "calls", median: calls.writes },
    ];
  } finally {
    await stack.stop();
  }
}

export const suite: BenchSuite = {
  name: "sweep: listing and starting reviews at estate scale (one run per mode)",
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(path.join(tmpdir(), "pla-sweep-bench-"));
    try {
      const seedFile = benchSeed(dir);
      const rows: BenchRow[] = [];
      for (const mode of MODES) rows.push(...(await runMode(mode, seedFile)));
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
