import { readFile } from "node:fs/promises";

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a file, or standard input for "-". */
  readText(file: string): Promise<string>;
  /** Current time as ISO text (the CLI is an edge: it may read the clock). */
  now(): string;
  /** Environment variables (the commands that call a running app read its URL and credential here). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Files larger than this are not policies, events or requests. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readText: (file) => (file === "-" ? readStdin() : readFile(file, "utf8")),
  now: () => new Date().toISOString(),
  env: process.env,
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_INPUT_BYTES) throw Object.assign(new Error("input too large"), { code: "EFBIG" });
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
