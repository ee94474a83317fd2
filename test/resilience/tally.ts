/**
 * Shared by every resilience file: the run size and seed from the environment, and the per-category counts each file
 * asserts to be zero and prints as one line.
 *
 * - `RESILIENCE_FULL=1` (or `npm run test:resilience`): the full run, thousands of cases; otherwise the reduced run
 *   inside `npm test`.
 * - `RESILIENCE_SEED=<integer>` overrides the fixed default seed, so a failing run can be repeated exactly.
 */
export const RESILIENCE_FULL =
  process.env.RESILIENCE_FULL === "1" || process.env.npm_lifecycle_event === "test:resilience";

export const DEFAULT_SEED = 20260901;

export const RESILIENCE_SEED = parseSeed(process.env.RESILIENCE_SEED);

function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`RESILIENCE_SEED="${raw}" is not an integer; unset it or fix it.`);
  return seed;
}

/** The number of cases: `reduced` inside `npm test`, `full` in the full run. */
export function caseCount(reduced: number, full: number): number {
  return RESILIENCE_FULL ? full : reduced;
}

/** fast-check parameters for this run (seeded, sized). */
export function fcParams(reduced: number, full: number): { seed: number; numRuns: number } {
  return { seed: RESILIENCE_SEED, numRuns: caseCount(reduced, full) };
}

/** The categories the issue asks every resilience file to count; a file counts those that apply to it. */
export const CATEGORIES = {
  fiveXx: "5xx",
  crashes: "crashes",
  garbageRows: "garbage_rows",
  garbageInstances: "garbage_instances",
  unjustifiedApprovals: "unjustified_approvals",
  unjustifiedDeletes: "unjustified_deletes",
  lostConnections: "lost_connections",
} as const;

export type Category = (typeof CATEGORIES)[keyof typeof CATEGORIES] | (string & {});

/** Counts per category, with the first few examples of each, for the assertion message. */
export class Tally {
  private readonly counts = new Map<Category, number>();
  private readonly examples = new Map<Category, string[]>();
  cases = 0;

  constructor(
    readonly name: string,
    categories: readonly Category[],
  ) {
    for (const c of categories) this.counts.set(c, 0);
  }

  /** Counts `n` findings in `category`; `example` says what happened (kept for the first three). */
  add(category: Category, example: string, n = 1): void {
    if (!this.counts.has(category)) throw new Error(`Tally ${this.name} does not count "${category}".`);
    if (n <= 0) return;
    this.counts.set(category, this.counts.get(category)! + n);
    const kept = this.examples.get(category) ?? [];
    if (kept.length < 3) kept.push(example.slice(0, 300));
    this.examples.set(category, kept);
  }

  count(category: Category): number {
    return this.counts.get(category) ?? 0;
  }

  /** `resilience <name>: cases=<n> <category>=<n> ... seed=<seed>` */
  line(): string {
    const parts = [...this.counts].map(([c, n]) => `${c}=${n}`);
    return `resilience ${this.name}: cases=${this.cases} ${parts.join(" ")} seed=${RESILIENCE_SEED}`;
  }

  /** Non-zero categories with their examples; empty when all are zero. */
  findings(): string {
    return [...this.counts]
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `${c}=${n}: ${(this.examples.get(c) ?? []).join(" | ")}`)
      .join("\n");
  }

  /** Prints the line (once per file, from afterAll). */
  print(): void {
    console.log(this.line());
  }
}
