import { spawn } from "node:child_process";

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a shell script without blocking the event loop, so servers in this process (stand-ins, the stack) answer it. */
export async function runShellScript(
  file: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<ScriptRun> {
  const child = spawn("sh", [file], options);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { status, stdout, stderr };
}
