import { setTimeout as pause } from "node:timers/promises";
import type { CliIo } from "./cli-io";
import { DemoClient, readLocalRuntime } from "./demo/demo-client";
import { runDemoScenario } from "./demo/demo-scenario";

/**
 * `demo [--approve]`: drives the scripted scenario against a running `npm start` and prints a timeline. The human
 * review prints its approval link and waits for the click, or approves through the page with --approve.
 */
export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const unknown = argv.filter((a) => a !== "--approve");
  if (unknown.length > 0) {
    io.stderr(
      `error USAGE: demo takes only --approve (approve the human review through the page); got ${unknown.join(" ")}.\n`,
    );
    return 2;
  }
  const client = new DemoClient(readLocalRuntime());
  const health = await client.app("GET", "/health").catch(() => undefined);
  if (!health || health.status >= 500) {
    io.stderr("error NOT_RUNNING: The app does not answer; start it with `npm start` and run the demo again.\n");
    return 1;
  }
  const started = Date.now();
  const result = await runDemoScenario({
    client,
    runId: Date.now().toString(36),
    print: (e) => io.stdout(`+${(e.at / 1000).toFixed(1).padStart(5)}s  [${e.step}] ${e.what}\n`),
    pause: (ms) => pause(ms),
    elapsed: () => Date.now() - started,
    approve: argv.includes("--approve"),
  });
  io.stdout("\nsummary:\n");
  for (const s of result.steps)
    io.stdout(`  ${s.ok ? "ok  " : "FAIL"} ${s.name} (expected ${s.expected}, got ${s.got})\n`);
  return result.ok ? 0 : 1;
}
