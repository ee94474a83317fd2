import path from "node:path";
import { performance } from "node:perf_hooks";
import { startDevhost, type Devhost } from "../devhost";
import { currentCoreRegistry } from "../devhost/core/core-api-shim";
import { TableStore } from "../devhost/durable/store-table";
import type { InstanceState, RuntimeStatus } from "../devhost/durable/instance-state";
import { startAzuriteTables } from "../scripts/azurite";
import { heapAfterGc, repeat, row, type BenchRow, type BenchSuite } from "./harness";

/** The devhost test suite's sample app (plain CommonJS): `threeStep` calls the `double` activity three times. */
const SAMPLE_APP = path.join(__dirname, "..", "..", "test", "devhost", "sample-app");
const SETTINGS = { SAMPLE_HUB: "BenchHub", TICK_SCHEDULE: "0 0 0 1 1 *" };
const CONCURRENT = 40;
const SEQUENTIAL = 20;

async function startAndWait(host: Devhost, count: number, concurrent: boolean): Promise<number> {
  const begin = performance.now();
  const one = async (): Promise<void> => {
    const res = await fetch(`${host.url}/durabletask/orchestrators/threeStep`, {
      method: "POST",
      body: "1",
      headers: { "x-functions-key": host.keys.durableTask },
    });
    const { id } = (await res.json()) as { id: string };
    const status = await host.waitForInstance(id, { timeoutMs: 60_000 });
    if (status.output !== 8) throw new Error(`unexpected output ${JSON.stringify(status.output)}`);
  };
  if (concurrent) await Promise.all(Array.from({ length: count }, one));
  else for (let i = 0; i < count; i++) await one();
  return performance.now() - begin;
}

async function throughput(host: Devhost): Promise<number[]> {
  return repeat(3, async () => (CONCURRENT / (await startAndWait(host, CONCURRENT, true))) * 1000);
}

/** Calls the registered `double` handler directly, as a baseline for the host's cost per activity. */
async function directActivityMs(): Promise<number[]> {
  const fn = currentCoreRegistry()?.functions.get("double");
  if (!fn) throw new Error("the sample app's double activity is not registered");
  const context = { invocationId: "bench", functionName: "double", log: () => undefined };
  return repeat(5, async () => {
    const n = 2000;
    const begin = performance.now();
    for (let i = 0; i < n; i++) await fn.handler(i, context);
    return (performance.now() - begin) / n;
  });
}

async function withHost<T>(
  storage: "memory" | { tableConnectionString: string },
  fn: (h: Devhost) => Promise<T>,
  hub = SETTINGS.SAMPLE_HUB,
): Promise<T> {
  const host = await startDevhost({
    appRoot: SAMPLE_APP,
    port: 0,
    settings: { ...SETTINGS, SAMPLE_HUB: hub },
    storage,
    schedule: false,
    log: () => {},
  });
  try {
    return await fn(host);
  } finally {
    await host.stop();
  }
}

const LISTED = 500;
const STORED = 6000;

function finished(instanceId: string, status: RuntimeStatus, createdMs: number): InstanceState {
  const at = new Date(createdMs).toISOString();
  return {
    ...{ instanceId, name: "threeStep", executionId: 1, status, inputText: "1", output: 8, customStatus: null },
    ...{ createdTime: at, lastUpdatedTime: at, inbox: [], nextId: 0, slots: [], activities: [], timers: [] },
    history: [{ EventType: 0, EventId: -1, IsPlayed: true, Timestamp: at, Input: "1" }],
  };
}

/** Stores `stored` finished instances, `LISTED` of them Completed, then times listing the Completed ones over HTTP. */
async function listingMs(connectionString: string, stored: number): Promise<number[]> {
  const hub = `List${stored}`;
  const store = await TableStore.open(connectionString, hub);
  const ids = Array.from({ length: stored }, (_, i) => i);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map((n) => store.save(finished(`i${n}`, n < LISTED ? "Completed" : "Terminated", n * 1000))),
    );
  }
  return withHost(
    { tableConnectionString: connectionString },
    async (host) => {
      return repeat(3, async () => {
        const begin = performance.now();
        let listed = 0;
        let token: string | null = null;
        do {
          const res: Response = await fetch(`${host.url}/durabletask/instances?runtimeStatus=Completed&top=100`, {
            headers: {
              "x-functions-key": host.keys.durableTask,
              ...(token ? { "x-ms-continuation-token": token } : {}),
            },
          });
          listed += ((await res.json()) as unknown[]).length;
          token = res.headers.get("x-ms-continuation-token");
        } while (token);
        if (listed !== LISTED) throw new Error(`listed ${listed} instances, expected ${LISTED}`);
        return performance.now() - begin;
      });
    },
    hub,
  );
}

export const suite: BenchSuite = {
  name: "devhost: three-activity orchestrations",
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    await withHost("memory", async (host) => {
      rows.push(
        row(
          `in memory: orchestrations completed per second (${CONCURRENT} concurrent)`,
          "orch/s",
          await throughput(host),
        ),
      );
      // What the in-memory store keeps per finished instance (history, input, output): the local run's growth.
      const perInstanceKib = await repeat(3, async () => {
        const before = heapAfterGc();
        await startAndWait(host, CONCURRENT, true);
        return (heapAfterGc() - before) / 1024 / CONCURRENT;
      });
      rows.push(row("in memory: heap kept per completed orchestration", "KiB", perInstanceKib));
      const perActivity = await repeat(3, async () => (await startAndWait(host, SEQUENTIAL, false)) / SEQUENTIAL / 3);
      rows.push(
        row("in memory: host time per activity (sequential, incl. replays)", "ms", perActivity, {
          name: "direct call of the activity handler",
          samples: await directActivityMs(),
        }),
      );
    });
    const azurite = await startAzuriteTables();
    try {
      await withHost({ tableConnectionString: azurite.connectionString }, async (host) => {
        rows.push(
          row(
            `Azurite tables: orchestrations completed per second (${CONCURRENT} concurrent)`,
            "orch/s",
            await throughput(host),
          ),
        );
      });
      rows.push(
        row(
          `Azurite tables: list the ${LISTED} Completed instances over HTTP (pages of 100), ${STORED.toLocaleString("en")} stored`,
          "ms",
          await listingMs(azurite.connectionString, STORED),
          { name: `${LISTED} stored`, samples: await listingMs(azurite.connectionString, LISTED) },
        ),
      );
    } finally {
      await azurite.stop();
    }
    return rows;
  },
};
