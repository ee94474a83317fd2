/** `npm start`: the whole product on embedded defaults, on loopback, until Ctrl-C. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startLocalStack } from "./local-stack";

const root = path.resolve(__dirname, "..", "..");
/** LOCAL_DATA_DIR moves the data (a second stack beside the first, or a test's own folder). */
const dataDir = path.resolve(process.env.LOCAL_DATA_DIR || path.join(root, ".local"));

/** Where `npm run demo` finds the running stack. */
export const RUNTIME_FILE = path.join(dataDir, "runtime.json");

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`start: ${name}="${raw}" is not a port number; set it to 1-65535 or unset it.`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const started = Date.now();
  const stack = await startLocalStack({
    root,
    dataDir,
    ports: {
      devhost: port("DEVHOST_PORT", 7071),
      sandbox: port("SANDBOX_PORT", 8443),
      azurite: port("AZURITE_TABLE_PORT", 10002),
    },
    devhostMode: "in-process",
    log: (line) => console.log(line),
  });
  const runtime = {
    apiUrl: `${stack.devhost.url}/api`,
    devhostUrl: stack.devhost.url,
    localKey: stack.devhost.localKey,
    masterKey: stack.devhost.keys.master,
    sandboxUrl: stack.sandbox.url,
    sandboxCaFile: stack.sandbox.caFile,
    tableEndpoint: stack.azurite.tableEndpoint,
  };
  writeFileSync(RUNTIME_FILE, JSON.stringify(runtime, null, 2));
  console.log(`
Private Link Autopilot is running locally (up in ${((Date.now() - started) / 1000).toFixed(1)} s).
  app (devhost)     ${runtime.apiUrl}          function key: ${runtime.localKey}
                    admin API (timers)         master key:   ${runtime.masterKey}
  health            ${runtime.apiUrl}/health
  simulated Azure   ${runtime.sandboxUrl}      estate: ${runtime.sandboxUrl}/_sandbox/estate
  inbox             ${runtime.sandboxUrl}/_sandbox/inbox.html
  Table Storage     ${runtime.tableEndpoint}   (Azurite; data in .local/azurite)

Next, in another terminal:
  npm run demo                                   a scripted scenario with a timeline; it prints an approval
                                                 link: open it, sign in as the approver, press Approve
  npm run demo -- --approve                      the same, approving through the page by itself
  curl -H "x-functions-key: ${runtime.localKey}" ${runtime.apiUrl}/connections
  curl -X POST -H "x-functions-key: ${runtime.masterKey}" -d '{"input":""}' ${runtime.devhostUrl}/admin/functions/sweep
Ctrl-C stops everything; the next start reuses the data.`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping...");
    stack
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`start: ${reason(err)}`);
  process.exit(1);
});

/** One sentence for the usual failures; a port held by another program names the setting that moves it. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code === "EADDRINUSE") {
    return `port ${e.port ?? "?"} is in use by another program; stop it or move this stack with DEVHOST_PORT, SANDBOX_PORT or AZURITE_TABLE_PORT.`;
  }
  return err instanceof Error ? err.message : String(err);
}
