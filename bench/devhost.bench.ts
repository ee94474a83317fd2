import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startDevhost, type Devhost } from "../devhost";
import { currentCoreRegistry } from "../devhost/core/core-api-shim";
import { repeat, row, type BenchRow, type BenchSuite } from "./harness";

/** The devhost test suite's sample app (plain CommonJS): `threeStep` calls the `double` activity three times. */
const SAMPLE_APP = path.join(__dirname, "..", "..", "test", "devhost", "sample-app");
const SETTINGS = { SAMPLE_HUB: "BenchHub", TICK_SCHEDULE: "0 0 0 1 1 *" };
const CONCURRENT = 40;
const SEQUENTIAL = 20;

async function startAndWait(host: Devhost, count: number, concurrent: boolean): Promise<number> {
  const begin = performance.now();
  const one = async (): Promise<void> => {
    const res = await fetch(`${host.url}/durabletask/orchestrators/threeStep`, { method: "POST", body: "1" });
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
): Promise<T> {
  const host = await startDevhost({
    appRoot: SAMPLE_APP,
    port: 0,
    settings: SETTINGS,
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
      const perActivity = await repeat(3, async () => (await startAndWait(host, SEQUENTIAL, false)) / SEQUENTIAL / 3);
      rows.push(
        row("in memory: host time per activity (sequential, incl. replays)", "ms", perActivity, {
          name: "direct call of the activity handler",
          samples: await directActivityMs(),
        }),
      );
    });
    const azurite = await startAzurite();
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
    } finally {
      azurite.stop();
    }
    return rows;
  },
};

/** Azurite's Table service as a child, in memory, on a free loopback port (the publicly documented dev account). */
async function startAzurite(): Promise<{ connectionString: string; stop(): void }> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const main = path.join(__dirname, "..", "..", "node_modules", "azurite", "dist", "src", "table", "main.js");
  const args = [
    main,
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(port),
    "--inMemoryPersistence",
    "--disableTelemetry",
    "--silent",
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("successfully started")) resolve();
    });
    child.once("exit", () => reject(new Error(`Azurite exited: ${out}`)));
  });
  const endpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
  return {
    connectionString:
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
      "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
      `TableEndpoint=${endpoint};`,
    stop: () => child.kill(),
  };
}
