import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/cli-io";
import { main } from "../../src/cli/main";
import { anyJson, mutated, nastyString, REAL_EVENTS, REAL_REQUESTS, webhookBody } from "./arbitraries";
import { CATEGORIES, fcParams, Tally } from "./tally";

const root = path.resolve(__dirname, "..", "..");
const POLICY_TEXT = readFileSync(path.join(root, "policy", "default-policy.yaml"), "utf8");
const TENANTS_TEXT = readFileSync(path.join(root, "test", "fixtures", "requests", "tenants.json"), "utf8");

/**
 * The CLI's refusals: exit 1 (input refused) or 2 (command line makes no sense) with exactly one line
 * `error CODE: ...` on stderr, nothing on stdout, never a stack; `INTERNAL` means an unplanned failure.
 */
const tally = new Tally("cli", [CATEGORIES.crashes, "internal_errors", "bad_refusals"]);
afterAll(() => tally.print());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against in-memory files ("-" is stdin). */
async function run(argv: string[], files: Record<string, string>): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readText: (file) =>
      file in files
        ? Promise.resolve(files[file]!)
        : Promise.reject(Object.assign(new Error(`no such file ${file}`), { code: "ENOENT" })),
    now: () => "2026-03-02T09:30:00Z",
  };
  return { code: await main(argv, io), stdout, stderr };
}

function judge(what: string, r: Run): void {
  tally.cases++;
  if (r.code === 0) return; // the input happened to be acceptable: fine, as long as it did not crash
  if (r.code !== 1 && r.code !== 2) tally.add(CATEGORIES.crashes, `${what}: exit ${r.code}`);
  if (/^error INTERNAL:/.test(r.stderr)) tally.add("internal_errors", `${what}: ${r.stderr.trim()}`);
  const oneLine = /^error [A-Z][A-Z0-9_]*: \S[^\n]*\n$/.test(r.stderr);
  if (!oneLine || r.stdout !== "" || /\n\s+at\s/.test(r.stderr)) {
    tally.add("bad_refusals", `${what}: ${JSON.stringify(r.stderr.slice(0, 200))}`);
  }
}

/** Runs the property; a thrown exception (the CLI's promise rejected) is a crash, not a test error. */
async function fuzz<T>(arb: fc.Arbitrary<T>, counts: [number, number], body: (v: T) => Promise<void>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      try {
        await body(v);
      } catch (err) {
        tally.add(CATEGORIES.crashes, `threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
    fcParams(...counts),
  );
}

const policyText = fc.oneof(
  fc.constant(POLICY_TEXT),
  fc.string({ maxLength: 300 }),
  anyJson.map((v) => JSON.stringify(v)),
  // The real policy with a line cut or repeated: YAML that is almost right.
  fc.tuple(fc.nat(), fc.boolean()).map(([n, repeat]) => {
    const lines = POLICY_TEXT.split("\n");
    const i = n % lines.length;
    lines.splice(i, 1, ...(repeat ? [lines[i]!, lines[i]!] : []));
    return lines.join("\n");
  }),
  fc.constantFrom("a: &a [*a]", "!!js/function 'x'", "? [a]\n: b", "x: " + "[".repeat(3000)),
);

const requestText = fc.oneof(
  { arbitrary: mutated(REAL_REQUESTS).map((v) => JSON.stringify(v)), weight: 4 },
  { arbitrary: webhookBody, weight: 2 },
  { arbitrary: nastyString, weight: 1 },
);

describe("CLI under fuzzing", () => {
  it("events parse: refuses garbage with one coded line", async () => {
    await fuzz(webhookBody, [150, 2000], async (body) => {
      judge("events parse", await run(["events", "parse", "-"], { "-": body }));
    });
  }, 120_000);

  it("policy check: refuses bad policies with one coded line", async () => {
    await fuzz(policyText, [100, 1000], async (text) => {
      judge("policy check", await run(["policy", "check", "p.yaml"], { "p.yaml": text }));
    });
  }, 120_000);

  it("policy explain: refuses bad requests, tenants and times with one coded line", async () => {
    const input = fc.record({
      policy: fc.oneof({ arbitrary: fc.constant(POLICY_TEXT), weight: 4 }, { arbitrary: policyText, weight: 1 }),
      request: requestText,
      tenants: fc.oneof(
        fc.constant(TENANTS_TEXT),
        anyJson.map((v) => JSON.stringify(v)),
        mutated(REAL_EVENTS).map((v) => JSON.stringify(v)),
      ),
      now: fc.option(nastyString, { nil: undefined }),
    });
    await fuzz(input, [150, 2000], async (v) => {
      const argv = ["policy", "explain", "--policy", "p.yaml", "--request", "r.json", "--tenants", "t.json"];
      if (v.now !== undefined) argv.push("--now", v.now);
      judge("policy explain", await run(argv, { "p.yaml": v.policy, "r.json": v.request, "t.json": v.tenants }));
    });
  }, 120_000);

  it("any command line: exit 2 for nonsense, never a crash", async () => {
    const words = fc.array(
      fc.oneof(
        fc.constantFrom(
          "events",
          "parse",
          "policy",
          "check",
          "explain",
          "schema",
          "--policy",
          "--request",
          "--tenants",
          "--now",
          "--self",
          "-",
          "--",
        ),
        nastyString,
      ),
      { maxLength: 6 },
    );
    await fuzz(words, [150, 2000], async (argv) => {
      // "demo" talks to a running stack, and no arguments or --help print the help (exit 2 for none): left out.
      if (
        argv[0] === "demo" ||
        argv.length === 0 ||
        argv.some((a) => ["--help", "-h"].includes(a)) ||
        argv[0] === "help"
      )
        return;
      judge(`argv ${JSON.stringify(argv).slice(0, 80)}`, await run(argv, { "-": "{}" }));
    });
  }, 120_000);

  it("the installed binary: garbage on stdin exits 1 with one line, no stack", async () => {
    const bin = path.join(root, "bin", "privatelink-autopilot.js");
    const bodies = fc.sample(webhookBody, { seed: fcParams(0, 0).seed, numRuns: 5 });
    for (const body of [...bodies, "{oops", "[".repeat(100_000)]) {
      const r = await new Promise<Run>((resolve) => {
        const child = execFile(process.execPath, [bin, "events", "parse", "-"], (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
        );
        child.stdin!.end(body);
      });
      judge("bin events parse", r);
    }
  }, 60_000);

  it("counts nothing", () => {
    expect(tally.findings()).toBe("");
  });
});
