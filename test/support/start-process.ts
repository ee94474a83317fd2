/** `npm start` (dist/scripts/start.js) as a child process on free ports with its own data folder, for crash tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../scripts/azurite";
import { until } from "./until";

const repoRoot = path.resolve(__dirname, "..", "..");

export interface StartProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number>;
}

/** DEVHOST_PORT, SANDBOX_PORT and AZURITE_TABLE_PORT, each a free port. */
export async function freeStackPorts(): Promise<Record<string, string>> {
  return {
    DEVHOST_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    AZURITE_TABLE_PORT: String(await freePort()),
  };
}

export function startProcess(ports: Record<string, string>, dataDir: string): StartProcess {
  const child = spawn(process.execPath, [path.join(repoRoot, "dist", "scripts", "start.js")], {
    env: { ...process.env, ...ports, LOCAL_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
  return { child, output: () => output, exited };
}

/** Resolves once the stack printed that it runs; rejects with its output if it exited first. */
export async function untilRunning(p: StartProcess, timeoutMs = 60_000): Promise<void> {
  let done = false;
  const died = p.exited.then((code) => {
    if (!done) throw new Error(`start exited with ${code}:\n${p.output()}`);
  });
  await Promise.race([until(() => p.output().includes("is running locally"), "the stack to come up", timeoutMs), died]);
  done = true;
}

/** The pid npm start recorded for its Azurite in the data folder. */
export function azuritePid(dataDir: string): number {
  return (JSON.parse(readFileSync(path.join(dataDir, "azurite.pid"), "utf8")) as { pid: number }).pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  return exited;
}
