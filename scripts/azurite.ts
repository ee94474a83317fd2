/**
 * Azurite's Table service as a child process on loopback: for `npm start` (persisted in a data folder) and for the
 * tests (in memory, on a free port).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { azuriteConnectionString, azuriteTableEndpoint } from "../devhost/azurite-account";
import { EXIT_WITH_PARENT } from "../devhost/exit-with-parent";

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
  /** A folder to keep the data in; omitted: in memory. With a folder, `azurite.pid` beside it records the process. */
  location?: string;
  timeoutMs?: number;
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
  const pidFile = options.location ? `${options.location}.pid` : undefined;
  if (pidFile) await stopStaleAzurite(pidFile, options.location!);
  if (options.port && !(await portIsFree(options.port))) {
    throw new Error(
      `Port ${options.port} (Azurite's Table service) is in use by another program; stop it or set AZURITE_TABLE_PORT to a free port.`,
    );
  }
  const attempts = options.port ? 1 : 3;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port || (await freePort());
    const storage = options.location ? ["--location", options.location] : ["--inMemoryPersistence"];
    if (options.location) mkdirSync(options.location, { recursive: true });
    const args = [main, "--tableHost", "127.0.0.1", "--tablePort", String(port), ...storage];
    // Azurite dies with this process, however it dies, so no orphan holds the port after a crash.
    const child = spawn(process.execPath, [...EXIT_WITH_PARENT, ...args, "--disableTelemetry", "--silent"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const failure = await waitForStart(child, options.timeoutMs ?? 20_000);
    if (failure !== undefined) {
      child.kill();
      if (options.port) throw new Error(`Azurite's table server did not start on port ${port}: ${failure}`);
      continue; // the port was taken between probing and binding: try another
    }
    if (pidFile && child.pid) writeFileSync(pidFile, JSON.stringify({ pid: child.pid, port }));
    return {
      port,
      tableEndpoint: azuriteTableEndpoint(port),
      connectionString: azuriteConnectionString(port),
      stop: () =>
        new Promise<void>((resolve) => {
          if (pidFile) rmSync(pidFile, { force: true });
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill();
        }),
    };
  }
  throw new Error("Azurite's table server did not start on a free port after 3 attempts.");
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * An Azurite left running by a crashed start (its pid file is still there): stopped if it is still alive and still
 * Azurite on this data folder, so the new start gets the port. Any other process with that pid is left alone.
 */
async function stopStaleAzurite(pidFile: string, location: string): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(readFileSync(pidFile, "utf8")) as { pid: number }).pid;
  } catch {
    return; // no pid file (or a torn one): nothing recorded to stop
  }
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isAzuriteOn(pid, location)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process's command line names Azurite and this data folder (Linux /proc; elsewhere: not provably ours). */
function isAzuriteOn(pid: number, location: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return args.some((a) => a.includes("azurite")) && args.includes(location);
  } catch {
    return false;
  }
}

/** Resolves undefined once Azurite says it started, or the reason it did not. */
function waitForStart(child: ChildProcess, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = "";
    const timer = setTimeout(() => resolve(`no start within ${timeoutMs} ms`), timeoutMs);
    let started = false;
    const onData = (chunk: Buffer): void => {
      // The pipe is drained for the child's whole life; only what comes before the start is kept and searched.
      if (started) return;
      output += chunk.toString();
      if (output.includes("successfully started")) {
        started = true;
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
