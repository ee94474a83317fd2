import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runShellScript } from "../support/run-script";
import { repoRoot, startE2eStack, type E2eStack } from "./e2e-stack";

/**
 * scripts/azd/smoke.sh (the post-deploy check) against the running app on the devhost: the real health answer, the
 * host's refusal of an anonymous call and the Event Grid extension's validation handshake. Only `az` is a stand-in
 * (signed in; hands out the host key as the eventgrid_extension system key).
 */
describe("post-deploy smoke check against the running app", () => {
  let stack: E2eStack;
  let bin: string;

  beforeAll(async () => {
    stack = await startE2eStack();
    bin = mkdtempSync(join(tmpdir(), "pla-smoke-az-"));
    writeFileSync(
      join(bin, "az"),
      `#!/bin/sh
case "$1 $2" in
  "account show") echo 00000000-0000-0000-0000-000000000001 ;;
  "functionapp keys") echo "$SMOKE_KEY" ;;
  *) exit 2 ;;
esac
`,
    );
    chmodSync(join(bin, "az"), 0o755);
  });
  afterAll(async () => {
    await stack?.stop();
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  const smoke = (key: string) =>
    runShellScript(join(repoRoot, "scripts/azd/smoke.sh"), {
      cwd: repoRoot,
      env: {
        PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        AZURE_FUNCTION_APP_URL: stack.devhost.url,
        AZURE_FUNCTION_APP_NAME: "func-plautopilot-e2e",
        AZURE_RESOURCE_GROUP: "rg-e2e",
        SMOKE_KEY: key,
        PLA_HOOK_ATTEMPTS: "1",
        PLA_HOOK_RETRY_SECONDS: "0",
      },
    });

  it("passes: healthy, anonymous refused with 401, handshake answered", async () => {
    const run = await smoke(stack.devhost.keys.eventGrid);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("smoke: /api/health is healthy.");
    expect(run.stdout).toContain("smoke: an anonymous call to /api/connections gets 401.");
    expect(run.stdout).toContain("smoke: the Event Grid webhook completes the validation handshake.");
  });

  it("fails when the webhook refuses the key it was given", async () => {
    const run = await smoke("not-the-system-key");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SMOKE_EVENTGRID_HANDSHAKE_FAILED: the Event Grid webhook answered 401/);
  });
});
