import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../../src/cli/cli-io";
import { main } from "../../../src/cli/main";

const root = path.resolve(__dirname, "../../..");
const events = (f: string) => path.join(root, "test/fixtures/events", f);
const requests = (f: string) => path.join(root, "test/fixtures/requests", f);
const policy = path.join(root, "policy/default-policy.yaml");

/** Runs the CLI in-process with captured output; stdin is the given text. */
async function run(argv: string[], stdin = "") {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readText: (file) => (file === "-" ? Promise.resolve(stdin) : readFile(file, "utf8")),
    now: () => "2026-03-02T09:30:00Z",
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
}

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: string) {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: \\S.*\\n$`));
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
}

describe("CLI", () => {
  it("prints help with every command", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["events parse", "policy check", "policy explain", "demo"]) expect(r.stdout).toContain(c);
    expect((await run([])).code).toBe(2);
  });

  it("events parse: prints the signals of a file", async () => {
    const r = await run(["events", "parse", events("consumer-pe-write.real.json")]);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([expect.objectContaining({ kind: "private-endpoint-written" })]);
  });

  it("events parse: reads stdin and marks our own echo with --self", async () => {
    const body = await readFile(events("derived-pls-connection-write-self-echo.json"), "utf8");
    const r = await run(["events", "parse", "-", "--self", "9d2b7c1e-4a3f-4b8e-8c5d-6e7f8a9b0c1d"], `\uFEFF${body}`);
    expect(r.json()).toEqual([expect.objectContaining({ kind: "connection-written", initiatedBySelf: true })]);
  });

  it("events parse: refuses what is not an event, and a missing file, in one coded line", async () => {
    expectOneLineError(await run(["events", "parse", "-"], '{"hello":1}'), "EVENT_PAYLOAD_INVALID");
    expectOneLineError(await run(["events", "parse", "-"], "{oops"), "EVENT_PAYLOAD_INVALID");
    expectOneLineError(await run(["events", "parse", path.join(root, "no-such-file.json")]), "FILE_NOT_FOUND");
    expectOneLineError(await run(["events", "parse", root]), "FILE_NOT_FOUND");
  });

  it("policy check: prints the version and rules, or every problem on one line", async () => {
    const ok = await run(["policy", "check", policy]);
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({
      valid: true,
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
      default: "review",
    });
    const bad = await run(["policy", "check", path.join(root, "test/fixtures/policy/invalid-many-problems.yaml")]);
    expectOneLineError(bad, "POLICY_INVALID");
    expect(bad.stderr).toContain("4 problem(s)");
    const waits = await run([
      "policy",
      "check",
      path.join(root, "test/fixtures/policy/invalid-default-approves-by-waiting.yaml"),
    ]);
    expectOneLineError(waits, "POLICY_INVALID");
    expect(waits.stderr).toContain("/default/review/onDeadline");
  });

  it("policy explain: decides a request file with tenants", async () => {
    const r = await run([
      "policy",
      "explain",
      "--policy",
      policy,
      "--request",
      requests("production-without-ticket-reject.request.json"),
      "--tenants",
      requests("tenants.json"),
    ]);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      tenant: "11111111-aaaa-4aaa-8aaa-000000000001",
      decision: { verdict: "reject", ruleId: "production-needs-change-ticket", trace: expect.any(Array) },
    });
  });

  it("policy explain: decides each request an Event Grid payload carries, at --now", async () => {
    const r = await run([
      "policy",
      "explain",
      `--policy=${policy}`,
      "--request",
      events("derived-arn-postgres-with-connections.json"),
      "--now",
      "2026-01-01T00:00:00Z",
    ]);
    expect(r.code).toBe(0);
    const out = r.json() as { request: { observedAt: string }; decision: { verdict: string; ruleId: string } }[];
    expect(out).toHaveLength(1); // only the Pending connection
    expect(out[0]!.request.observedAt).toBe("2026-01-01T00:00:00Z");
    expect(out[0]!.decision).toMatchObject({ verdict: "review", ruleId: "default" }); // ticket present, tenant unknown
  });

  it.each([
    [["policy", "explain", "--policy", "x"], "USAGE"],
    [["policy", "explain", "--policy"], "USAGE"],
    [["policy", "explain", "--bogus", "1"], "USAGE"],
    [["policy", "explain", "--policy", "p", "--request", "r", "--now", "later"], "USAGE"],
    [["policy", "frobnicate"], "USAGE"],
    [["events", "parse"], "USAGE"],
    [["events", "parse", "a", "b"], "USAGE"],
  ])("refuses the command line %j with a usage error (exit 2)", async (argv, code) => {
    const r = await run(argv);
    expectOneLineError(r, code);
    expect(r.code).toBe(2);
  });

  it("policy explain: refuses bad request, tenants and JSON with coded lines", async () => {
    const base = ["policy", "explain", "--policy", policy, "--request"];
    expectOneLineError(await run([...base, "-"], '{"connectionId":"nope"}'), "REQUEST_INVALID");
    expectOneLineError(await run([...base, "-"], "[1,2"), "JSON_INVALID");
    expectOneLineError(
      await run([...base, requests("known-tenant-approve.request.json"), "--tenants", "-"], '{"x":1}'),
      "TENANTS_INVALID",
    );
    expectOneLineError(
      await run([...base, requests("known-tenant-approve.request.json"), "--tenants", "-"], '[{"tenantId":"x"}]'),
      "TENANTS_INVALID",
    );
  });

  it("policy schema prints the published schema", async () => {
    const r = await run(["policy", "schema"]);
    expect(r.json()).toEqual(JSON.parse(await readFile(path.join(root, "policy/policy.schema.json"), "utf8")));
  });
});

describe("CLI command lookup", () => {
  it("treats Object's own property names as unknown commands (exit 2), not as a crash", async () => {
    for (const name of ["__proto__", "constructor", "toString"]) {
      const r = await run([name]);
      expect(r.code).toBe(2);
      expectOneLineError(r, "USAGE");
    }
  });
});

describe("CLI sweep", () => {
  it("refuses a sweep without --dry-run, a bad --kind and stray arguments before calling the app", async () => {
    // An unreachable URL: a call would fail with APP_UNREACHABLE, so USAGE proves nothing was called.
    const url = ["--url", "http://127.0.0.1:9"];
    for (const argv of [
      ["sweep", ...url],
      ["sweep", "--dry-run", "--kind", "everything", ...url],
      ["sweep", "--dry-run", "now", ...url],
      ["sweep", "latest", "--kind", "all", ...url],
    ]) {
      expectOneLineError(await run(argv), "USAGE");
    }
    expectOneLineError(await run(["sweep", "--dry-run", ...url]), "APP_UNREACHABLE");
  });
});
