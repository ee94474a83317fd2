import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { azuriteConnectionString } from "./azurite-account";
import { ManualClock } from "./clock";
import { startDevhost } from "./host";
import type { HostKeys } from "./http/auth";

/** UseDevelopmentStorage=true means Azurite's Table service on its default port, as the real host reads it. */
const AZURITE_TABLE_PORT = 10002;

const USAGE = `usage: node dist/devhost/main.js --app <dir> [--port 7071] [--storage memory|table] [--no-schedule]
       [--key <local key>] [--manual-clock <epoch ms>] [--run-activities-twice]
Settings come from the environment, then <app>/local.settings.json "Values".
Table storage uses DEVHOST_TABLE_CONNECTION or AzureWebJobsStorage (UseDevelopmentStorage=true → Azurite on 10002).
DEVHOST_KEYS (JSON {function, master, durableTask, eventGrid}) fixes keys; the others are random, printed once.`;

interface Args {
  app: string;
  port: number;
  storage?: string;
  schedule: boolean;
  key?: string;
  manualClock?: number;
  twice: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { app: ".", port: 7071, schedule: true, twice: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === "--app") args.app = value();
    else if (a === "--port") args.port = Number(value());
    else if (a === "--storage") args.storage = value();
    else if (a === "--no-schedule") args.schedule = false;
    else if (a === "--key") args.key = value();
    else if (a === "--manual-clock") args.manualClock = Number(value());
    else if (a === "--run-activities-twice") args.twice = true;
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) fail("--port must be 0-65535");
  if (args.manualClock !== undefined && !Number.isFinite(args.manualClock))
    fail("--manual-clock takes epoch milliseconds");
  return args;
}

function fail(reason: string): never {
  console.error(`devhost: ${reason}\n${USAGE}`);
  process.exit(2);
}

function localSettings(appRoot: string): Record<string, string> {
  const file = path.join(appRoot, "local.settings.json");
  if (!existsSync(file)) return {};
  try {
    const values = (JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, unknown> }).Values ?? {};
    return Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === "string")) as Record<
      string,
      string
    >;
  } catch {
    fail(`${file} is not valid JSON`);
  }
}

/** Keys from the environment (kept out of the command line, which other local users can read), then forgotten. */
function keysFromEnv(): Partial<HostKeys> {
  const raw = process.env.DEVHOST_KEYS;
  delete process.env.DEVHOST_KEYS;
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const keys: Partial<HostKeys> = {};
    for (const name of ["function", "master", "durableTask", "eventGrid"] as const) {
      const value = parsed[name];
      if (typeof value === "string" && value !== "") keys[name] = value;
    }
    return keys;
  } catch {
    fail('DEVHOST_KEYS must be JSON such as {"function": "...", "master": "..."}');
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const keys = keysFromEnv();
  const appRoot = path.resolve(args.app);
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(localSettings(appRoot))) if (process.env[k] === undefined) settings[k] = v;
  const env = { ...settings, ...process.env };
  let connection = env.DEVHOST_TABLE_CONNECTION ?? env.AzureWebJobsStorage;
  if (connection === "UseDevelopmentStorage=true") connection = azuriteConnectionString(AZURITE_TABLE_PORT);
  const useTable = args.storage === "table" || (args.storage === undefined && !!connection);
  if (useTable && !connection) fail("--storage table needs DEVHOST_TABLE_CONNECTION or AzureWebJobsStorage");
  const host = await startDevhost({
    appRoot,
    port: args.port,
    settings,
    storage: useTable ? { tableConnectionString: connection! } : "memory",
    schedule: args.schedule,
    keys: { ...keys, ...(args.key ? { function: args.key } : {}) },
    clock: args.manualClock !== undefined ? new ManualClock(args.manualClock) : undefined,
    runActivitiesTwice: args.twice,
  });
  // Machine-readable line for spawnDevhost(); the key was printed once above for people.
  console.log(`DEVHOST_READY ${JSON.stringify({ url: host.url, port: host.port })}`);
  const shutdown = (): void => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(`devhost: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
