/**
 * Runs the azd hook scripts for real (sh) against a stand-in `az` on PATH that records its arguments and answers
 * as Azure would, so the branches that matter (exists / absent / forbidden, no topics / topics / function missing)
 * are exercised without Azure.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "./bicep-source";

// The stand-in: logs each call, copies --file / --parameters @file contents, answers per AZ_* variables.
const FAKE_AZ = `#!/bin/sh
log="$AZ_LOG_DIR/calls.log"
printf '%s\\n' "$*" >> "$log"
prev=""
for arg in "$@"; do
  case "$prev" in
    --file) cp "$arg" "$AZ_LOG_DIR/secret-file" ;;
    --parameters) cp "\${arg#@}" "$AZ_LOG_DIR/parameters.json" ;;
  esac
  prev="$arg"
done
case "$1 $2 $3" in
  "keyvault secret show")
    case "$AZ_SECRET_STATE" in
      exists) echo "https://kv.vault.azure.net/secrets/approval-signing-key/abc"; exit 0 ;;
      absent) echo "ERROR: (SecretNotFound) A secret with (name/id) approval-signing-key was not found in this key vault." >&2; exit 1 ;;
      *) echo "ERROR: (Forbidden) Caller is not authorized to perform action on resource." >&2; exit 1 ;;
    esac ;;
  "keyvault secret set") exit 0 ;;
  "functionapp function show")
    if [ "$AZ_FUNCTION_LISTED" = "yes" ]; then echo "resource-events"; exit 0; fi
    echo "ERROR: Function resource-events does not exist." >&2; exit 1 ;;
  "deployment sub create") exit 0 ;;
esac
echo "fake az: unexpected call: $*" >&2
exit 2
`;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pla-azd-hooks-"));
  writeFileSync(join(dir, "az"), FAKE_AZ);
  chmodSync(join(dir, "az"), 0o755);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runHook(script: string, env: Record<string, string>) {
  const result = spawnSync("sh", [join(ROOT, "scripts/azd", script)], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      AZ_LOG_DIR: dir,
      PLA_HOOK_ATTEMPTS: "2",
      PLA_HOOK_RETRY_SECONDS: "0",
      ...env,
    },
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n").filter(Boolean);
  } catch {
    calls = [];
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

describe("scripts/azd/postprovision.sh (signing key)", () => {
  const env = { AZURE_KEY_VAULT_NAME: "kv-pla-test", APPROVAL_SIGNING_KEY_SECRET_NAME: "approval-signing-key" };

  it("leaves an existing key alone", () => {
    const run = runHook("postprovision.sh", { ...env, AZ_SECRET_STATE: "exists" });
    expect(run.status).toBe(0);
    expect(run.calls.some((c) => c.startsWith("keyvault secret set"))).toBe(false);
  });

  it("creates a 48-byte random key from a file when the secret is absent, never on the command line", () => {
    const run = runHook("postprovision.sh", { ...env, AZ_SECRET_STATE: "absent" });
    expect(run.status, run.stderr).toBe(0);
    const set = run.calls.find((c) => c.startsWith("keyvault secret set"));
    expect(set).toContain("--vault-name kv-pla-test --name approval-signing-key --file ");
    const key = readFileSync(join(dir, "secret-file"), "utf8");
    expect(key).toMatch(/^[A-Za-z0-9+/]{64}$/);
    expect(Buffer.from(key, "base64")).toHaveLength(48);
    expect(run.calls.join("\n") + run.stdout + run.stderr).not.toContain(key);
  });

  it("fails, without writing, when it cannot tell whether the key exists", () => {
    const run = runHook("postprovision.sh", { ...env, AZ_SECRET_STATE: "forbidden" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Key Vault Secrets Officer/);
    expect(run.calls.filter((c) => c.startsWith("keyvault secret show"))).toHaveLength(2);
    expect(run.calls.some((c) => c.startsWith("keyvault secret set"))).toBe(false);
  });

  it("refuses to run outside azd", () => {
    const run = runHook("postprovision.sh", {});
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/AZURE_KEY_VAULT_NAME is missing/);
    expect(run.calls).toEqual([]);
  });
});

describe("scripts/azd/postdeploy.sh (event subscriptions)", () => {
  const topics = [
    {
      subscriptionId: "00000000-0000-0000-0000-000000000002",
      resourceGroupName: "rg-events",
      systemTopicName: "evgt-a",
    },
    {
      subscriptionId: "00000000-0000-0000-0000-000000000003",
      resourceGroupName: "rg-hub",
      systemTopicName: "existing-topic",
    },
  ];
  const env = {
    AZURE_ENV_NAME: "dev",
    AZURE_LOCATION: "swedencentral",
    AZURE_RESOURCE_GROUP: "rg-dev",
    AZURE_FUNCTION_APP_NAME: "func-plautopilot-abc",
    AZURE_FUNCTION_APP_ID:
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dev/providers/Microsoft.Web/sites/func-plautopilot-abc",
    AZURE_STORAGE_ACCOUNT_ID:
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dev/providers/Microsoft.Storage/storageAccounts/stplaabc",
    DEAD_LETTER_CONTAINER_NAME: "eventgrid-deadletter",
  };

  it("does nothing when no subscription is watched", () => {
    for (const value of ["[]", "", " [ ] "]) {
      const run = runHook("postdeploy.sh", { ...env, EVENT_GRID_SYSTEM_TOPICS: value });
      expect(run.status).toBe(0);
      expect(run.calls).toEqual([]);
    }
  });

  it("waits for the function, then deploys infra/event-subscriptions.bicep with the topics", () => {
    const run = runHook("postdeploy.sh", {
      ...env,
      EVENT_GRID_SYSTEM_TOPICS: JSON.stringify(topics),
      AZ_FUNCTION_LISTED: "yes",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls[0]).toContain(
      "functionapp function show --name func-plautopilot-abc --resource-group rg-dev --function-name resource-events",
    );
    const deploy = run.calls.find((c) => c.startsWith("deployment sub create"));
    expect(deploy).toContain("--location swedencentral");
    expect(deploy).toContain(`--template-file ${ROOT}/infra/event-subscriptions.bicep`);
    const params = JSON.parse(readFileSync(join(dir, "parameters.json"), "utf8")) as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(params.parameters.topics?.value).toEqual(topics);
    expect(params.parameters.functionAppId?.value).toBe(env.AZURE_FUNCTION_APP_ID);
    expect(params.parameters.deadLetterStorageAccountId?.value).toBe(env.AZURE_STORAGE_ACCOUNT_ID);
    expect(params.parameters.deadLetterContainerName?.value).toBe("eventgrid-deadletter");
  });

  it("stops with a clear message when the function never appears, creating no subscription", () => {
    const run = runHook("postdeploy.sh", {
      ...env,
      EVENT_GRID_SYSTEM_TOPICS: JSON.stringify(topics),
      AZ_FUNCTION_LISTED: "no",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/function 'resource-events' is not listed/);
    expect(run.stderr).toMatch(/azd deploy/);
    expect(run.calls.some((c) => c.startsWith("deployment sub create"))).toBe(false);
  });
});

describe("scripts/azd/preprovision.sh (azd environment values)", () => {
  const good = {
    AUTH_CLIENT_ID: "33333333-3333-3333-3333-333333333333",
    MANAGED_RESOURCE_GROUP_IDS:
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg, /subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/paas.rg(1)",
    DNS_ZONES_RESOURCE_GROUP_ID: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg",
    WATCHED_SUBSCRIPTIONS:
      "00000000-0000-0000-0000-000000000002,00000000-0000-0000-0000-000000000003/rg-hub/existing-topic",
    APPROVERS: "netops@contoso.example",
  };

  it("accepts a complete, well-formed environment without calling Azure", () => {
    const run = runHook("preprovision.sh", good);
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls).toEqual([]);
  });

  it("names every bad value with a stable code and what to do, and stops", () => {
    const run = runHook("preprovision.sh", {
      ...good,
      AUTH_CLIENT_ID: "not-a-guid",
      MANAGED_RESOURCE_GROUP_IDS:
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ok,/subscriptions/*",
      DNS_ZONES_RESOURCE_GROUP_ID: "",
      WATCHED_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000002/only-a-group",
      APPROVERS: " , ",
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines.filter((l) => l.includes("INFRA_SETTING_INVALID"))).toHaveLength(5);
    expect(run.stderr).toMatch(/AUTH_CLIENT_ID must be the client id/);
    expect(run.stderr).toMatch(/MANAGED_RESOURCE_GROUP_IDS has '\/subscriptions\/\*'/);
    expect(run.stderr).toMatch(/DNS_ZONES_RESOURCE_GROUP_ID must be/);
    expect(run.stderr).toMatch(/WATCHED_SUBSCRIPTIONS has '00000000-0000-0000-0000-000000000002\/only-a-group'/);
    expect(run.stderr).toMatch(/APPROVERS is empty/);
    expect(run.stderr).toMatch(/5 setting\(s\) to fix with 'azd env set'/);
  });

  it("treats hostile values as data (no glob or command expansion)", () => {
    const run = runHook("preprovision.sh", {
      ...good,
      APPROVERS: "$(touch pwned)",
      MANAGED_RESOURCE_GROUP_IDS: "`id`",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/MANAGED_RESOURCE_GROUP_IDS has '`id`'/);
    expect(existsSync(join(ROOT, "pwned"))).toBe(false);
  });
});
