/**
 * Starts Azurite's Table service as a child process on a free loopback port, in memory, for integration tests.
 * Usage: const azurite = await startAzuriteTables(); ... azurite.connectionString ...; await azurite.stop();
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export interface AzuriteTables {
  port: number;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  tableEndpoint: string;
  /** A full connection string for the well-known dev account (a published, non-secret key). */
  connectionString: string;
  stop(): Promise<void>;
}

const DEV_ACCOUNT = "devstoreaccount1";
// The documented Azurite/emulator account key: public, not a secret.
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

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

export async function startAzuriteTables(options: { timeoutMs?: number } = {}): Promise<AzuriteTables> {
  const main = join(__dirname, "..", "..", "node_modules", "azurite", "dist", "src", "table", "main.js");
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        main,
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        String(port),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--silent",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const started = await waitForStart(child, options.timeoutMs ?? 20_000);
    if (!started) {
      child.kill();
      continue; // the port was taken between probing and binding: try another
    }
    const tableEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
    return {
      port,
      tableEndpoint,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`,
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

function waitForStart(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let output = "";
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("successfully started")) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
