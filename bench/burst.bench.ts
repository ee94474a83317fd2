import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { TableClient } from "@azure/data-tables";
import { defaultSeedFile } from "../sandbox/estate/seed-loader";
import type { EstateSeed } from "../sandbox/estate/seed-types";
import { startLocalStack, type LocalStack } from "../scripts/local-stack";
import { armToken } from "./arm-token";
import { median, type BenchRow, type BenchSuite } from "./harness";

// A burst of connection requests arriving as Event Grid events on devhost + sandbox + Azurite, with ARM latency
// injected by the sandbox, against the floor: the ARM calls one connection strictly needs, made directly in the same
// run. BURST_SIZE sets the size (default 1,000); BURST_ARM_LATENCY_MS the latency of every ARM call (default 50).

const SIZE = Number(process.env.BURST_SIZE ?? 1000);
const LATENCY_MS = Number(process.env.BURST_ARM_LATENCY_MS ?? 50);
const CREATE_CONCURRENCY = 25;
const FLOOR_SAMPLES = 20;
const DECIDED = ["approved", "rejected", "awaiting-approval", "failed"];
const API_VERSION = { postgres: "2024-08-01", network: "2024-05-01", dns: "2020-06-01" };

interface Ctx {
  stack: LocalStack;
  token: string;
}

function sandboxJson(ctx: Ctx, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = https.request(
      new URL(route, ctx.stack.sandbox.url),
      {
        method,
        ca: ctx.stack.sandbox.caPem,
        headers: { "content-type": "application/json", authorization: `Bearer ${ctx.token}`, ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Counts the Table calls made in this process (devhost durable state and the app's bookkeeping both go through it). */
function countTableCalls(): () => number {
  let calls = 0;
  const proto = TableClient.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of [
    "getEntity",
    "upsertEntity",
    "createEntity",
    "updateEntity",
    "deleteEntity",
    "submitTransaction",
  ]) {
    const original = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      calls++;
      return original.apply(this, args);
    };
  }
  // listEntities pages lazily; each query counts once.
  const list = proto.listEntities!;
  proto.listEntities = function (this: unknown, ...args: unknown[]) {
    calls++;
    return list.apply(this, args);
  };
  return () => calls;
}

async function decidedRows(ctx: Ctx): Promise<Map<string, { state: string; updatedAt: string; instanceId?: string }>> {
  const out = new Map<string, { state: string; updatedAt: string; instanceId?: string }>();
  for (const status of DECIDED) {
    const res = await fetch(`${ctx.stack.devhost.url}/api/connections?status=${status}&limit=1000`, {
      headers: { "x-functions-key": ctx.stack.devhost.localKey },
    });
    const body = (await res.json()) as { connections?: any[] } | any[];
    for (const c of Array.isArray(body) ? body : (body.connections ?? []))
      out.set(String(c.connectionId).toLowerCase(), {
        state: c.state,
        updatedAt: c.updatedAt,
        instanceId: c.instanceId,
      });
  }
  return out;
}

/** The floor: read the connection and the endpoint, approve, write the A record (If-None-Match: *), directly. */
async function floorConnection(ctx: Ctx, connectionId: string, privateEndpointId: string, n: number): Promise<number> {
  const begin = performance.now();
  await sandboxJson(ctx, "GET", `${connectionId}?api-version=${API_VERSION.postgres}`);
  await sandboxJson(ctx, "GET", `${privateEndpointId}?api-version=${API_VERSION.network}`);
  await sandboxJson(ctx, "PUT", `${connectionId}?api-version=${API_VERSION.postgres}`, {
    properties: { privateLinkServiceConnectionState: { status: "Approved", description: "floor" } },
  });
  const zone = `${ctx.stack.sandbox.estate.dns.resourceGroupId}/providers/Microsoft.Network/privateDnsZones/privatelink.postgres.database.azure.com`;
  await sandboxJson(
    ctx,
    "PUT",
    `${zone}/A/floor-${n}?api-version=${API_VERSION.dns}`,
    { properties: { ttl: 10, aRecords: [{ ipv4Address: `10.99.0.${n}` }] } },
    { "if-none-match": "*" },
  );
  return performance.now() - begin;
}

/** The demo seed, with room in the watched consumer's subnet for the whole burst (a /24 holds 251 endpoints). */
function burstSeed(dir: string): string {
  const seed = JSON.parse(readFileSync(defaultSeedFile(), "utf8")) as EstateSeed;
  const watched = seed.consumers.find((c) => c.watched && c.readableByApp)!;
  watched.subnetPrefix = SIZE > 250 ? "10.60.0.0/20" : watched.subnetPrefix;
  const file = path.join(dir, "estate.seed.json");
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

export const suite: BenchSuite = {
  name: `burst: ${SIZE.toLocaleString("en")} connection requests as events, ARM latency ${LATENCY_MS} ms per call (devhost + sandbox + Azurite)`,
  async run(): Promise<BenchRow[]> {
    const tableCalls = countTableCalls();
    const dir = mkdtempSync(path.join(tmpdir(), "pla-burst-bench-"));
    const stack = await startLocalStack({
      root: path.join(__dirname, "..", ".."),
      ports: { devhost: 0, sandbox: 0, azurite: 0 },
      devhostMode: "in-process",
      schedule: false,
      seedFile: burstSeed(dir),
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    try {
      const ctx: Ctx = { stack, token: await armToken(stack) };
      const estate = stack.sandbox.estate;
      const resource = (type: string) => estate.provider.resources.find((r) => r.type === type)!.id;
      const watched = estate.consumers.find((c) => c.watched && c.readableByApp)!;
      const unwatched = estate.consumers.find((c) => !c.watched && c.readableByApp)!;
      const faults = await sandboxJson(ctx, "POST", "/_sandbox/faults", {
        rate429: 0,
        rate5xx: 0,
        latencyMs: LATENCY_MS,
        seed: 15,
      });
      if (faults.status >= 300) throw new Error(`the sandbox refused the latency: ${JSON.stringify(faults.body)}`);
      // Mixed: PostgreSQL (approved until the tenant's quota, then review), production storage without a change
      // ticket (rejected), production SQL with one (approved, or review past the quota).
      const targets = [
        { target: resource("Microsoft.DBforPostgreSQL/flexibleServers") },
        { target: resource("Microsoft.Storage/storageAccounts") },
        { target: resource("Microsoft.Sql/servers"), requestMessage: "Reporting access, CHG0012345" },
      ];
      await sandboxJson(ctx, "DELETE", "/_sandbox/calls");
      const tableBefore = tableCalls();
      const created = new Map<string, number>();
      const burstStart = performance.now();
      const epoch = Date.now() - burstStart;
      await inBatches([...Array(SIZE).keys()], CREATE_CONCURRENCY, async (i) => {
        const t = targets[i % targets.length]!;
        const res = await sandboxJson(ctx, "POST", "/_sandbox/private-endpoints", {
          subscriptionId: watched.subscriptionId,
          tenantId: watched.tenantId,
          resourceGroup: "burst-rg",
          name: `burst-${i}`,
          targetResourceId: t.target,
          ...(t.requestMessage ? { requestMessage: t.requestMessage } : {}),
        });
        if (res.status >= 300) throw new Error(`the sandbox refused endpoint ${i}: ${JSON.stringify(res.body)}`);
        created.set(String(res.body.connectionId).toLowerCase(), epoch + performance.now());
      });
      const arrivalSeconds = (performance.now() - burstStart) / 1000;
      let rows = await decidedRows(ctx);
      for (let deadline = Date.now() + 30 * 60_000; Date.now() < deadline;) {
        if ([...created.keys()].every((id) => rows.has(id))) break;
        // Seldom: each look reads every decided row, and at 1,000 that load would compete with what is measured.
        // Times to decision come from the rows' own times, so they do not depend on how often we look.
        await new Promise((r) => setTimeout(r, 3000));
        rows = await decidedRows(ctx);
      }
      await stack.sandbox.eventsIdle();
      const decisionMs = [...created].flatMap(([id, at]) => {
        const r = rows.get(id);
        return r ? [Date.parse(r.updatedAt) - at] : [];
      });
      // Until the last decision as its row dates it (the polling above looks only every few seconds).
      const lastDecision = Math.max(
        ...[...created.keys()].flatMap((id) => (rows.has(id) ? [Date.parse(rows.get(id)!.updatedAt)] : [])),
      );
      const totalSeconds = (lastDecision - (epoch + burstStart)) / 1000;
      const byState: Record<string, number> = {};
      for (const id of created.keys()) {
        const s = rows.get(id)?.state ?? "undecided";
        byState[s] = (byState[s] ?? 0) + 1;
      }
      const calls = (await sandboxJson(ctx, "GET", "/_sandbox/calls")).body as {
        counters: Record<string, { count: number }>;
      };
      const tableOps = tableCalls() - tableBefore;
      // History of a sample of instances: events and activity executions per review.
      const sample = [...created.keys()].slice(0, 20).flatMap((id) => rows.get(id)?.instanceId ?? []);
      const histories = await Promise.all(
        sample.map(async (instanceId) => {
          const res = await fetch(
            `${stack.devhost.url}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?showHistory=true`,
            { headers: { "x-functions-key": stack.devhost.keys.durableTask } },
          );
          const body = (await res.json()) as { historyEvents?: { EventType: string }[] };
          const events = body.historyEvents ?? [];
          return { events: events.length, activities: events.filter((e) => e.EventType === "TaskCompleted").length };
        }),
      );
      // The floor, on endpoints of an unwatched subscription (no event, so the app never sees them).
      const floor: number[] = [];
      await sandboxJson(ctx, "DELETE", "/_sandbox/calls");
      for (let n = 1; n <= FLOOR_SAMPLES; n++) {
        const pe = await sandboxJson(ctx, "POST", "/_sandbox/private-endpoints", {
          subscriptionId: unwatched.subscriptionId,
          tenantId: unwatched.tenantId,
          resourceGroup: "floor-rg",
          name: `floor-${n}`,
          targetResourceId: targets[0]!.target,
        });
        floor.push(await floorConnection(ctx, pe.body.connectionId, pe.body.privateEndpointId, n));
      }
      const floorCalls = (await sandboxJson(ctx, "GET", "/_sandbox/calls")).body as {
        counters: Record<string, { count: number }>;
      };
      const per = (n: number) => n / SIZE;
      const armTotal = Object.values(calls.counters).reduce((s, c) => s + c.count, 0);
      const floorTotal = Object.values(floorCalls.counters).reduce((s, c) => s + c.count, 0) / FLOOR_SAMPLES;
      const sorted = [...decisionMs].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? NaN;
      const floorMedian = median(floor);
      const out: BenchRow[] = [
        { name: `requests arrived within (s); outcomes ${JSON.stringify(byState)}`, unit: "s", median: arrivalSeconds },
        {
          name: "time to decision p50",
          unit: "ms",
          median: median(decisionMs),
          baseline: { name: "floor, the four calls made directly", median: floorMedian },
          ratio: median(decisionMs) / floorMedian,
        },
        { name: "time to decision p99", unit: "ms", median: p99 },
        {
          name: "throughput (decided / time from first request to last decision)",
          unit: "conn/s",
          median: decisionMs.length / totalSeconds,
        },
        { name: "peak RSS of the devhost + sandbox process (Azurite apart)", unit: "MiB", median: peakRss / 2 ** 20 },
        {
          name: "ARM calls per connection (all kinds, incl. LRO polls)",
          unit: "calls",
          median: per(armTotal),
          baseline: { name: "floor per connection", median: floorTotal },
          ratio: per(armTotal) / floorTotal,
        },
        ...Object.entries(calls.counters)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([op, c]) => ({ name: `  ARM ${op} per connection`, unit: "calls", median: per(c.count) })),
        { name: "Table operations per connection (durable state + bookkeeping)", unit: "ops", median: per(tableOps) },
        {
          name: `activity executions per review (median of ${histories.length})`,
          unit: "activities",
          median: median(histories.map((h) => h.activities)),
        },
        { name: "history events per review", unit: "events", median: median(histories.map((h) => h.events)) },
      ];
      return out;
    } finally {
      clearInterval(sampler);
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
