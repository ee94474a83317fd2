import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../../..");
const bin = path.join(root, "bin/privatelink-autopilot.js");
const built = existsSync(path.join(root, "dist/src/cli/main.js"));
const exec = promisify(execFile);

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// `npm test` builds first; run `npm run build` before `vitest run` on its own.
describe.skipIf(!built)("bin/privatelink-autopilot.js (built CLI, needs `npm run build`)", () => {
  it("explains a request through the real process boundary", async () => {
    const r = await cli([
      "policy",
      "explain",
      "--policy",
      "policy/default-policy.yaml",
      "--request",
      "test/fixtures/requests/known-tenant-approve.request.json",
      "--tenants",
      "test/fixtures/requests/tenants.json",
      "--now",
      "2026-03-02T09:30:00Z",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      decision: { verdict: "approve", ruleId: "known-tenant-auto-approve" },
    });
  });

  it("exits non-zero with one coded line on stderr", async () => {
    const r = await cli(["events", "parse", "test/fixtures/requests/tenants.json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error EVENT_PAYLOAD_INVALID: .+\n$/);
  });
});
