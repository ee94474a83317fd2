import { readdirSync } from "node:fs";
import path from "node:path";
import { machine, type BenchSuite } from "./harness";

/** `npm run bench [name-filter]`: runs every bench/*.bench.ts suite and prints medians beside their baselines. */
async function main(): Promise<void> {
  const filter = process.argv[2] ?? "";
  const files = readdirSync(__dirname).filter((f) => f.endsWith(".bench.js") && f.includes(filter));
  console.log(`machine: ${machine()}`);
  for (const file of files.sort()) {
    const { suite } = (await import(path.join(__dirname, file))) as { suite: BenchSuite };
    console.log(`\n## ${suite.name}`);
    for (const r of await suite.run()) {
      const base = r.baseline
        ? ` | baseline ${r.baseline.name}: ${fmt(r.baseline.median)} | ratio ${r.ratio?.toFixed(2)}`
        : "";
      console.log(`${r.name}: median ${fmt(r.median)} ${r.unit}${base}`);
    }
  }
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
