import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { EXIT_WITH_PARENT } from "../../devhost/exit-with-parent";
import {
  azuritePid,
  freeStackPorts,
  isAlive,
  killAndWait,
  startProcess as spawnStart,
  untilRunning,
} from "../support/start-process";
import { until } from "../support/until";

/** `npm start` as a process: it leaves no orphan when killed, and a stale Azurite never blocks the next start. */
describe("npm start as a process", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "pla-start-"));
  const running: ChildProcess[] = [];
  let ports: Record<string, string>;

  afterEach(async () => {
    for (const child of running.splice(0)) await killAndWait(child, "SIGKILL");
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const startProcess = (): ReturnType<typeof spawnStart> => {
    const p = spawnStart(ports, dataDir);
    running.push(p.child);
    return p;
  };

  it("takes Azurite down with it on kill -9, and the next start comes up on the same ports", async () => {
    ports = await freeStackPorts();
    const first = startProcess();
    await untilRunning(first);
    const azurite = azuritePid(dataDir);
    expect(isAlive(azurite)).toBe(true);

    await killAndWait(first.child, "SIGKILL");
    await until(() => !isAlive(azurite), "Azurite to exit after its parent died");

    const second = startProcess();
    await untilRunning(second);
    expect(second.output()).not.toMatch(/EADDRINUSE/);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(existsSync(path.join(dataDir, "azurite.pid"))).toBe(false);
  }, 150_000);

  it("stops a stale Azurite a crashed run left on this data folder", async () => {
    ports = await freeStackPorts();
    // An Azurite as an older, crashed start left it: detached, not watching any parent, its pid recorded.
    const location = path.join(dataDir, "azurite");
    const main = path.join(require.resolve("azurite/package.json"), "..", "dist", "src", "table", "main.js");
    const args = ["--tableHost", "127.0.0.1", "--tablePort", ports.AZURITE_TABLE_PORT!, "--location", location];
    const stale = spawn(process.execPath, [main, ...args, "--silent", "--disableTelemetry"], { stdio: "ignore" });
    running.push(stale);
    await until(async () => !(await portIsFree(Number(ports.AZURITE_TABLE_PORT))), "the stale Azurite to listen");
    writeFileSync(path.join(dataDir, "azurite.pid"), JSON.stringify({ pid: stale.pid, port: 0 }));

    const next = startProcess();
    await untilRunning(next);
    await until(() => !isAlive(stale.pid!), "the stale Azurite to be stopped");
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  }, 150_000);

  it("fails with one clear sentence when another program holds a port", async () => {
    ports = await freeStackPorts();
    const squatter = await listen(Number(ports.AZURITE_TABLE_PORT));
    try {
      const blocked = startProcess();
      expect(await blocked.exited).toBe(1);
      const lines = blocked
        .output()
        .trim()
        .split("\n")
        .filter((l) => l.trim() !== "");
      expect(lines.at(-1)).toMatch(/^start: Port \d+ \(Azurite's Table service\) is in use by another program; .*\.$/);
      expect(blocked.output()).not.toMatch(/\n\s+at\s/);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 60_000);
});

describe("EXIT_WITH_PARENT", () => {
  it("makes a child exit when its parent is killed with SIGKILL", async () => {
    // parent → child (the flag) → grandchild pid printed; SIGKILL the parent, the child must go.
    const childScript = "setInterval(() => {}, 1000); console.log(process.pid);";
    const parentScript = `
      const { spawn } = require("node:child_process");
      const c = spawn(process.execPath, [...${JSON.stringify(EXIT_WITH_PARENT)}, "-e", ${JSON.stringify(childScript)}],
        { stdio: ["pipe", "inherit", "inherit"] });
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", parentScript], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    parent.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const pid = await until(() => (/^\d+/.test(out) ? Number(out.trim()) : undefined), "the child to start");
    expect(isAlive(pid)).toBe(true);
    await killAndWait(parent, "SIGKILL");
    await until(() => !isAlive(pid), "the child to exit");
  }, 30_000);
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

async function portIsFree(port: number): Promise<boolean> {
  try {
    const server = await listen(port);
    await new Promise((r) => server.close(r));
    return true;
  } catch {
    return false;
  }
}
