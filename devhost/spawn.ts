import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { EXIT_WITH_PARENT } from "./exit-with-parent";
import { generateKeys, type HostKeys } from "./http/auth";

export interface SpawnOptions {
  appRoot: string;
  /** Default 0 (a free port). */
  port?: number;
  /** App settings for the child (on top of this process's environment). */
  settings?: Record<string, string>;
  /** Durable state in Table Storage; omitted = in memory (lost on kill). */
  tableConnectionString?: string;
  /** Fixed keys, so a restarted child accepts the same keys (default: generated once per spawnDevhost call). */
  keys?: Partial<HostKeys>;
  /** Start the child on a manual clock at this epoch-ms (move it with POST /admin/devhost/advance-time). */
  manualClockStart?: number;
  schedule?: boolean;
  runActivitiesTwice?: boolean;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SpawnedDevhost {
  url: string;
  port: number;
  /** The function key (keys.function). */
  localKey: string;
  keys: HostKeys;
  child: ChildProcess;
  /** Everything the child printed so far. */
  output(): string;
  /** Sends the signal (default SIGTERM) and resolves once the child has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a new child with the same options (same storage and key). */
  restart(overrides?: Partial<SpawnOptions>): Promise<SpawnedDevhost>;
}

/** Runs devhost in a child process (compiled dist/devhost/main.js), for tests that need isolation or a crash. */
export async function spawnDevhost(options: SpawnOptions): Promise<SpawnedDevhost> {
  const opts = { ...options, keys: generateKeys(options.keys) };
  const args = [mainScript(), "--app", opts.appRoot, "--port", String(opts.port ?? 0)];
  if (opts.tableConnectionString) args.push("--storage", "table");
  else args.push("--storage", "memory");
  if (opts.schedule === false) args.push("--no-schedule");
  if (opts.manualClockStart !== undefined) args.push("--manual-clock", String(opts.manualClockStart));
  if (opts.runActivitiesTwice) args.push("--run-activities-twice");
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.settings, DEVHOST_KEYS: JSON.stringify(opts.keys) };
  if (opts.tableConnectionString) env.DEVHOST_TABLE_CONNECTION = opts.tableConnectionString;
  delete env.WEBSITE_HOSTNAME;
  delete env.DEVHOST_OWNS_WEBSITE_HOSTNAME;
  // The child dies with this process, so a crashed test run leaves no devhost behind.
  const child = spawn(process.execPath, [...EXIT_WITH_PARENT, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`devhost did not start within ${readyTimeoutMs} ms:\n${output}`)),
      readyTimeoutMs,
    );
    let started = false;
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      if (opts.log) for (const line of text.split("\n")) if (line.trim()) opts.log(line);
      // Looked for until found, never after: a busy child prints megabytes, and scanning all of it on every chunk
      // made the parent's cost grow with the square of the output.
      if (started) return;
      const m = /DEVHOST_READY (\{.*\})/.exec(output);
      if (m) {
        started = true;
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as { url: string; port: number });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`devhost exited with code ${code} before it was ready:\n${output}`));
    });
  });
  const { url, port } = await ready;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    url,
    port,
    localKey: opts.keys.function,
    keys: opts.keys,
    child,
    output: () => output,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    restart: (overrides) => spawnDevhost({ ...opts, ...overrides }),
  };
}

/** dist/devhost/main.js next to the compiled helper, or under dist/ when the helper runs from source (tests). */
function mainScript(): string {
  const here = path.join(__dirname, "main.js");
  if (existsSync(here)) return here;
  const built = path.join(__dirname, "..", "dist", "devhost", "main.js");
  if (existsSync(built)) return built;
  throw new Error("dist/devhost/main.js is missing; run `npm run build:all` first.");
}
