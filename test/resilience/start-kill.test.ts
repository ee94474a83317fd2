import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DemoClient, type LocalRuntime } from "../../src/cli/demo/demo-client";
import {
  azuritePid,
  freeStackPorts,
  isAlive,
  killAndWait,
  startProcess,
  untilRunning,
  type StartProcess,
} from "../support/start-process";
import { until } from "../support/until";
import { CATEGORIES, caseCount, Tally } from "./tally";

/**
 * SIGKILL of the whole `npm start` in the middle of real work, again and again: every next start comes up on the
 * same ports and data, no Azurite outlives its parent, the app answers without a 5xx, and the resumed durable work
 * writes nothing to ARM that the new estate does not justify (it re-seeds, so the killed run's endpoint is gone).
 */
const tally = new Tally("start-kill", [
  CATEGORIES.fiveXx,
  CATEGORIES.crashes,
  "orphans",
  CATEGORIES.unjustifiedApprovals,
  CATEGORIES.unjustifiedDeletes,
]);
const dataDir = mkdtempSync(path.join(tmpdir(), "pla-start-kill-"));
let current: StartProcess | undefined;

afterAll(async () => {
  tally.print();
  if (current) await killAndWait(current.child, "SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

function runtime(): LocalRuntime {
  return JSON.parse(readFileSync(path.join(dataDir, "runtime.json"), "utf8")) as LocalRuntime;
}

/** Starts the stack; a start that fails is a crash (and ends the run: there is nothing to probe). */
async function start(ports: Record<string, string>, round: number): Promise<DemoClient | undefined> {
  current = startProcess(ports, dataDir);
  try {
    await untilRunning(current);
    return new DemoClient(runtime());
  } catch (err) {
    tally.add(CATEGORIES.crashes, `round ${round}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** The new estate's ARM writes: none may touch the endpoint the killed run created (it no longer exists). */
async function judgeWrites(client: DemoClient, round: number, killedConnectionId: string): Promise<void> {
  const { body } = await client.sandbox("GET", "/_sandbox/calls");
  for (const c of (body as { calls: { method: string; path: string; status: number }[] }).calls) {
    const touchesKilled = c.path.toLowerCase().startsWith(killedConnectionId.toLowerCase());
    if (!touchesKilled || c.status >= 300) continue;
    if (c.method === "PUT") tally.add(CATEGORIES.unjustifiedApprovals, `round ${round}: ${c.method} ${c.path}`);
    if (c.method === "DELETE") tally.add(CATEGORIES.unjustifiedDeletes, `round ${round}: ${c.method} ${c.path}`);
  }
}

describe("SIGKILL of npm start", () => {
  it("mid-review, repeatedly: the next start comes up, nothing is orphaned, nothing unjustified is written", async () => {
    const ports = await freeStackPorts();
    const rounds = caseCount(1, 4);
    let client = await start(ports, 0);
    for (let round = 1; round <= rounds && client; round++) {
      tally.cases++;
      const { body: estate } = await client.sandbox("GET", "/_sandbox/estate");
      const e = estate as { consumers: { subscriptionId: string; tenantId: string; watched: boolean }[] };
      const consumer = e.consumers.find((c) => c.watched)!;
      const target = (estate as { provider: { resources: { id: string }[] } }).provider.resources[0]!;
      const created = await client.sandbox("POST", "/_sandbox/private-endpoints", {
        subscriptionId: consumer.subscriptionId,
        tenantId: consumer.tenantId,
        resourceGroup: "spoke-rg",
        name: `killed-${round}`,
        targetResourceId: target.id,
      });
      const killedConnectionId = (created.body as { connectionId: string }).connectionId;
      const azurite = azuritePid(dataDir);
      await killAndWait(current!.child, "SIGKILL");
      try {
        await until(() => !isAlive(azurite), "Azurite to exit with its parent");
      } catch {
        tally.add("orphans", `round ${round}: Azurite ${azurite} outlived npm start`);
      }

      client = await start(ports, round);
      if (!client) break;
      // The timers on their schedules and the resumed instances run; a sweep now finds what is Pending.
      const fired = await client.fireTimer("sweep");
      if (fired >= 500) tally.add(CATEGORIES.fiveXx, `round ${round}: sweep ${fired}`);
      const listed = await client.app("GET", "/connections");
      if (listed.status >= 500) tally.add(CATEGORIES.fiveXx, `round ${round}: GET /connections ${listed.status}`);
      await judgeWrites(client, round, killedConnectionId);
    }
    expect(tally.findings()).toBe("");
  }, 600_000);
});
