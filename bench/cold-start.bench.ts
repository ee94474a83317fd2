import { execFileSync } from "node:child_process";
import path from "node:path";
import { repeat, row, type BenchRow, type BenchSuite } from "./harness";

// Time to load the app's entry (every dist/functions/*.js, as the worker does at start) in a fresh node process,
// against the two runtime packages alone and against the app plus every Azure SDK loaded eagerly.

const RUNS = 9;
const DIST = path.join(__dirname, "..");
const RUNTIME = `require("@azure/functions"); require("durable-functions");`;
const APP = `for (const f of require("fs").readdirSync(${JSON.stringify(path.join(DIST, "functions"))}))
  if (f.endsWith(".js")) require(${JSON.stringify(path.join(DIST, "functions"))} + "/" + f);`;
const SDKS = [
  "@azure/arm-network",
  "@azure/arm-privatedns",
  "@azure/arm-resources",
  "@azure/data-tables",
  "@azure/identity",
  "@azure/communication-email",
  "ajv",
  "yaml",
]
  .map((id) => `require(${JSON.stringify(id)});`)
  .join(" ");

/** Milliseconds the script's requires take in a new process (the process start itself excluded). */
function loadMs(script: string): number {
  const code = `const t = performance.now(); ${script}; process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ["-e", code], {
    cwd: path.join(DIST, ".."),
    stdio: ["ignore", "pipe", "ignore"],
  });
  return Number(out.toString());
}

export const suite: BenchSuite = {
  name: `cold start: loading the app entry in a fresh process (median of ${RUNS})`,
  async run(): Promise<BenchRow[]> {
    // Interleaved, so load on the machine falls on all three alike.
    const runtime: number[] = [];
    const app: number[] = [];
    const eager: number[] = [];
    await repeat(RUNS, () => {
      runtime.push(loadMs(RUNTIME));
      app.push(loadMs(APP));
      eager.push(loadMs(`${APP} ${SDKS}`));
      return 0;
    });
    const baseline = { name: "@azure/functions + durable-functions alone", samples: runtime };
    return [
      row("@azure/functions + durable-functions alone", "ms", runtime),
      row("app entry (every function registered)", "ms", app, baseline),
      row("app entry + every SDK loaded eagerly", "ms", eager, baseline),
    ];
  },
};
