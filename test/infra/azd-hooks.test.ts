/**
 * Runs the azd hook scripts for real (sh, curl) against a stand-in `az` on PATH that records its arguments and
 * answers as Azure would, and a stand-in for the deployed app (an HTTP server answering as the Functions host does),
 * so the branches that matter (az missing / signed out, exists / absent / forbidden, no topics / topics / function
 * missing, healthy / unhealthy / open to anonymous callers) are exercised without Azure.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runShellScript, type ScriptRun } from "../support/run-script";
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
if [ "$1 $2" = "account show" ]; then
  [ "\${AZ_LOGGED_IN:-yes}" = "yes" ] || { echo "ERROR: Please run 'az login' to setup account." >&2; exit 1; }
  echo "\${AZ_ACCOUNT:-00000000-0000-0000-0000-000000000001}"; exit 0
fi
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
  "functionapp keys list") echo "\${AZ_EVENTGRID_KEY-eventgrid-system-key}"; exit 0 ;;
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

/** The deployed app, as the smoke check sees it; each test sets how it behaves. */
const EVENTGRID_KEY = "eventgrid-system-key";
interface AppBehaviour {
  health: { status: number; body: unknown };
  anonymousStatus: number;
  echoValidationCode: boolean;
}
const healthy = (): AppBehaviour => ({
  health: { status: 200, body: { status: "healthy", checks: { config: { ok: true }, storage: { ok: true } } } },
  anonymousStatus: 401,
  echoValidationCode: true,
});
let behaviour = healthy();
const received: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[] = [];
let app: Server;
let appUrl: string;

beforeAll(async () => {
  app = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      received.push({ method: req.method ?? "", path: url.pathname, headers: req.headers, body });
      const send = (status: number, json?: unknown) =>
        res
          .writeHead(status, { "content-type": "application/json" })
          .end(json === undefined ? "" : JSON.stringify(json));
      const keyed = req.headers["x-functions-key"] === EVENTGRID_KEY;
      if (url.pathname === "/api/health") return send(behaviour.health.status, behaviour.health.body);
      if (url.pathname === "/api/connections") return send(keyed ? 200 : behaviour.anonymousStatus, []);
      if (url.pathname === "/runtime/webhooks/eventgrid" && req.method === "POST") {
        if (!keyed) return send(401);
        const events = JSON.parse(body) as { data: { validationCode: string }; eventType: string }[];
        const validation = events[0];
        if (
          req.headers["aeg-event-type"] !== "SubscriptionValidation" ||
          url.searchParams.get("functionName") !== "resource-events" ||
          validation?.eventType !== "Microsoft.EventGrid.SubscriptionValidationEvent"
        ) {
          return send(400, { error: "not a validation handshake" });
        }
        return send(200, { validationResponse: behaviour.echoValidationCode ? validation.data.validationCode : "x" });
      }
      return send(404);
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
});

beforeEach(() => {
  behaviour = healthy();
  received.length = 0;
});

interface HookRun extends ScriptRun {
  /** Every az call, `account show` (the login check) included. */
  calls: string[];
  /** The az calls that reach Azure resources, without the login check. */
  azureCalls: string[];
}

async function runHook(script: string, env: Record<string, string>, path?: string): Promise<HookRun> {
  const run = await runShellScript(join(ROOT, "scripts/azd", script), {
    cwd: ROOT,
    env: {
      PATH: path ?? `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
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
  return { ...run, calls, azureCalls: calls.filter((c) => !c.startsWith("account show")) };
}

describe("scripts/azd/postprovision.sh (signing key)", () => {
  const env = { AZURE_KEY_VAULT_NAME: "kv-pla-test", APPROVAL_SIGNING_KEY_SECRET_NAME: "approval-signing-key" };

  it("leaves an existing key alone", async () => {
    const run = await runHook("postprovision.sh", { ...env, AZ_SECRET_STATE: "exists" });
    expect(run.status).toBe(0);
    expect(run.azureCalls.some((c) => c.startsWith("keyvault secret set"))).toBe(false);
  });

  it("creates a 48-byte random key from a file when the secret is absent, never on the command line", async () => {
    const run = await runHook("postprovision.sh", { ...env, AZ_SECRET_STATE: "absent" });
    expect(run.status, run.stderr).toBe(0);
    const set = run.azureCalls.find((c) => c.startsWith("keyvault secret set"));
    expect(set).toContain("--vault-name kv-pla-test --name approval-signing-key --file ");
    const key = readFileSync(join(dir, "secret-file"), "utf8");
    expect(key).toMatch(/^[A-Za-z0-9+/]{64}$/);
    expect(Buffer.from(key, "base64")).toHaveLength(48);
    expect(run.azureCalls.join("\n") + run.stdout + run.stderr).not.toContain(key);
  });

  it("fails, without writing, when it cannot tell whether the key exists", async () => {
    const run = await runHook("postprovision.sh", { ...env, AZ_SECRET_STATE: "forbidden" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Key Vault Secrets Officer/);
    expect(run.azureCalls.filter((c) => c.startsWith("keyvault secret show"))).toHaveLength(2);
    expect(run.azureCalls.some((c) => c.startsWith("keyvault secret set"))).toBe(false);
  });

  it("refuses to run outside azd", async () => {
    const run = await runHook("postprovision.sh", {});
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/AZURE_KEY_VAULT_NAME is missing/);
    expect(run.azureCalls).toEqual([]);
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
  const withApp = () => ({ ...env, AZURE_FUNCTION_APP_URL: appUrl });

  it("creates no event subscription when no subscription is watched, and still runs the smoke check", async () => {
    for (const value of ["[]", "", " [ ] "]) {
      const run = await runHook("postdeploy.sh", { ...withApp(), EVENT_GRID_SYSTEM_TOPICS: value });
      expect(run.status, run.stderr).toBe(0);
      expect(run.azureCalls.filter((c) => !c.startsWith("functionapp keys list"))).toEqual([]);
      expect(run.stdout).toContain("smoke: the Event Grid webhook completes the validation handshake.");
    }
  });

  it("waits for the function, then deploys infra/event-subscriptions.bicep with the topics", async () => {
    const run = await runHook("postdeploy.sh", {
      ...withApp(),
      EVENT_GRID_SYSTEM_TOPICS: JSON.stringify(topics),
      AZ_FUNCTION_LISTED: "yes",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.azureCalls[0]).toContain(
      "functionapp function show --name func-plautopilot-abc --resource-group rg-dev --function-name resource-events",
    );
    const deploy = run.azureCalls.find((c) => c.startsWith("deployment sub create"));
    expect(deploy).toContain("--location swedencentral");
    expect(deploy).toContain(`--template-file ${ROOT}/infra/event-subscriptions.bicep`);
    const params = JSON.parse(readFileSync(join(dir, "parameters.json"), "utf8")) as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(params.parameters.topics?.value).toEqual(topics);
    expect(params.parameters.functionAppId?.value).toBe(env.AZURE_FUNCTION_APP_ID);
    expect(params.parameters.deadLetterStorageAccountId?.value).toBe(env.AZURE_STORAGE_ACCOUNT_ID);
    expect(params.parameters.deadLetterContainerName?.value).toBe("eventgrid-deadletter");
    expect(run.stdout).toContain("smoke: /api/health is healthy.");
  });

  it("stops with a clear message when the function never appears, creating no subscription", async () => {
    const run = await runHook("postdeploy.sh", {
      ...withApp(),
      EVENT_GRID_SYSTEM_TOPICS: JSON.stringify(topics),
      AZ_FUNCTION_LISTED: "no",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/function 'resource-events' is not listed/);
    expect(run.stderr).toMatch(/azd deploy/);
    expect(run.azureCalls.some((c) => c.startsWith("deployment sub create"))).toBe(false);
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

  it("accepts a complete, well-formed environment, checking only the az login", async () => {
    const run = await runHook("preprovision.sh", good);
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls).toEqual(["account show --query id -o tsv"]);
  });

  it("names every bad value with a stable code and what to do, and stops", async () => {
    const run = await runHook("preprovision.sh", {
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

  it("treats hostile values as data (no glob or command expansion)", async () => {
    const run = await runHook("preprovision.sh", {
      ...good,
      APPROVERS: "$(touch pwned)",
      MANAGED_RESOURCE_GROUP_IDS: "`id`",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/MANAGED_RESOURCE_GROUP_IDS has '`id`'/);
    expect(existsSync(join(ROOT, "pwned"))).toBe(false);
  });
});

describe("the Azure CLI check (scripts/azd/lib.sh, every hook)", () => {
  const env = {
    AZURE_KEY_VAULT_NAME: "kv-pla-test",
    AUTH_CLIENT_ID: "33333333-3333-3333-3333-333333333333",
    MANAGED_RESOURCE_GROUP_IDS: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg",
    DNS_ZONES_RESOURCE_GROUP_ID: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg",
    APPROVERS: "netops@contoso.example",
    EVENT_GRID_SYSTEM_TOPICS: "[]",
  };
  const hooks = ["preprovision.sh", "postprovision.sh", "postdeploy.sh", "smoke.sh"];

  it("stops at once with one sentence when az is not installed", async () => {
    // PATH without the stand-in: only the system tools the hooks use.
    for (const hook of hooks) {
      const run = await runHook(hook, env, "/usr/bin:/bin");
      expect(run.status, hook).toBe(1);
      expect(run.stderr.trim().split("\n"), hook).toHaveLength(1);
      expect(run.stderr, hook).toMatch(/AZ_CLI_MISSING: the hooks need the Azure CLI \(az\)/);
    }
  });

  it("stops at once, before any Azure call, when az is not signed in ('azd auth login' is not enough)", async () => {
    for (const hook of hooks) {
      const run = await runHook(hook, { ...env, AZ_LOGGED_IN: "no" });
      expect(run.status, hook).toBe(1);
      expect(run.stderr.trim().split("\n"), hook).toHaveLength(1);
      expect(run.stderr, hook).toMatch(/AZ_NOT_LOGGED_IN: .*run 'az login'/);
      expect(run.azureCalls, hook).toEqual([]);
    }
  });

  it("names the fix when az points at another subscription than the azd environment", async () => {
    const run = await runHook("postprovision.sh", {
      ...env,
      AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-0000000000AA",
      AZ_ACCOUNT: "00000000-0000-0000-0000-000000000001",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /AZ_WRONG_SUBSCRIPTION: .*az account set --subscription 00000000-0000-0000-0000-0000000000AA/,
    );
    expect(run.azureCalls).toEqual([]);
    const same = await runHook("postprovision.sh", {
      ...env,
      AZURE_SUBSCRIPTION_ID: "00000000-0000-0000-0000-0000000000aa",
      AZ_ACCOUNT: "00000000-0000-0000-0000-0000000000AA",
      AZ_SECRET_STATE: "exists",
    });
    expect(same.status, same.stderr).toBe(0);
  });
});

describe("scripts/azd/smoke.sh (the deployed app)", () => {
  const env = () => ({
    AZURE_FUNCTION_APP_URL: appUrl,
    AZURE_FUNCTION_APP_NAME: "func-plautopilot-abc",
    AZURE_RESOURCE_GROUP: "rg-dev",
  });

  it("passes a healthy app that refuses anonymous calls and answers the Event Grid handshake", async () => {
    const run = await runHook("smoke.sh", env());
    expect(run.status, run.stderr).toBe(0);
    expect(run.azureCalls).toEqual([
      "functionapp keys list --name func-plautopilot-abc --resource-group rg-dev --query systemKeys.eventgrid_extension -o tsv",
    ]);
    const anonymous = received.find((r) => r.path === "/api/connections");
    expect(anonymous?.headers["x-functions-key"]).toBeUndefined();
    expect(anonymous?.headers.authorization).toBeUndefined();
    const handshake = received.find((r) => r.path === "/runtime/webhooks/eventgrid");
    expect(handshake?.headers["aeg-event-type"]).toBe("SubscriptionValidation");
    expect(run.stdout + run.stderr).not.toContain(EVENTGRID_KEY);
  });

  it("fails, showing what /api/health names, when the app is unhealthy (an unresolved Key Vault reference)", async () => {
    behaviour.health = {
      status: 503,
      body: {
        status: "unhealthy",
        checks: { config: { ok: false, detail: "APPROVAL_SIGNING_KEY is an unresolved Key Vault reference: ..." } },
      },
    };
    const run = await runHook("smoke.sh", env());
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SMOKE_UNHEALTHY: .*answered 503: .*APPROVAL_SIGNING_KEY is an unresolved Key Vault/);
    expect(received.filter((r) => r.path === "/api/health")).toHaveLength(2);
    expect(received.some((r) => r.path === "/runtime/webhooks/eventgrid")).toBe(false);
  });

  it("fails when a protected route answers an anonymous caller", async () => {
    behaviour.anonymousStatus = 200;
    const run = await runHook("smoke.sh", env());
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /SMOKE_ANONYMOUS_NOT_REFUSED: an anonymous GET .*\/api\/connections answered 200, not 401/,
    );
  });

  it("fails when the Event Grid webhook does not echo the validation code", async () => {
    behaviour.echoValidationCode = false;
    const run = await runHook("smoke.sh", env());
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SMOKE_EVENTGRID_HANDSHAKE_FAILED: the Event Grid webhook answered 200/);
  });

  it("fails with what to do when the app has no Event Grid system key", async () => {
    const run = await runHook("smoke.sh", { ...env(), AZ_EVENTGRID_KEY: "" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SMOKE_NO_EVENTGRID_KEY: .*run 'azd deploy' again/);
  });
});
