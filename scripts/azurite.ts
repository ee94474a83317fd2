/**
 * Azurite's Table service as a child process on loopback: for `npm start` (persisted in a data folder) and for the
 * tests (in memory, on a free port).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export interface AzuriteTables {
  port: number;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  tableEndpoint: string;
  /** A full connection string for the well-known development account (a published, non-secret key). */
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** 0 or omitted: a free port. */
  port?: number;
  /** A folder to keep the data in; omitted: in memory. */
  location?: string;
  timeoutMs?: number;
}

const DEV_ACCOUNT = "devstoreaccount1";
// The documented Azurite/emulator account key: public, not a secret.
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export function azuriteConnectionString(port: number): string {
  const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startAzuriteTables(options: AzuriteOptions = {}): Promise<AzuriteTables> {
  const main = path.join(require.resolve("azurite/package.json"), "..", "dist", "src", "table", "main.js");
  const attempts = options.port ? 1 : 3;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port || (await freePort());
    const storage = options.location ? ["--location", options.location] : ["--inMemoryPersistence"];
    if (options.location) mkdirSync(options.location, { recursive: true });
    const args = [main, "--tableHost", "127.0.0.1", "--tablePort", String(port), ...storage];
    const child = spawn(process.execPath, [...args, "--disableTelemetry", "--silent"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const failure = await waitForStart(child, options.timeoutMs ?? 20_000);
    if (failure !== undefined) {
      child.kill();
      if (options.port) throw new Error(`Azurite's table server did not start on port ${port}: ${failure}`);
      continue; // the port was taken between probing and binding: try another
    }
    return {
      port,
      tableEndpoint: `http://127.0.0.1:${port}/${DEV_ACCOUNT}`,
      connectionString: azuriteConnectionString(port),
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill();
        }),
    };
  }
  throw new Error("Azurite's table server did not start on a free port after 3 attempts.");
}

/** Resolves undefined once Azurite says it started, or the reason it did not. */
function waitForStart(child: ChildProcess, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = "";
    const timer = setTimeout(() => resolve(`no start within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("successfully started")) {
        clearTimeout(timer);
        resolve(undefined);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(`exited with code ${code}: ${output.trim().slice(-300)}`);
    });
  });
}
