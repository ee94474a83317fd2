import os from "node:os";

/** One measured quantity: the median of several runs, beside its baseline measured in the same process. */
export interface BenchRow {
  name: string;
  unit: string;
  median: number;
  baseline?: { name: string; median: number };
  /** median / baseline.median, when a baseline exists. */
  ratio?: number;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchRow[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs fn `runs` times (after one warm-up) and returns each run's result. */
export async function repeat(runs: number, fn: () => Promise<number> | number): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
  return out;
}

export function row(
  name: string,
  unit: string,
  samples: number[],
  baseline?: { name: string; samples: number[] },
): BenchRow {
  const m = median(samples);
  if (!baseline) return { name, unit, median: m };
  const b = median(baseline.samples);
  return { name, unit, median: m, baseline: { name: baseline.name, median: b }, ratio: b === 0 ? undefined : m / b };
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Heap bytes still in use once a full collection has run (`npm run bench` starts node with --expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the benchmarks with node --expose-gc (npm run bench does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap bytes retained by what `build` returns (kept alive until measured). */
export async function retainedBytes(build: () => unknown): Promise<number> {
  const before = heapAfterGc();
  const kept = await build();
  const after = heapAfterGc();
  if (kept === undefined) throw new Error("retainedBytes needs the built value, to keep it alive");
  return after - before;
}
