import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeWithSettingsTable, sampleSettingsJson } from "../../../scripts/write-settings";
import { ConfigError, HOST_SETTING_NAMES, loadConfig, SETTING_NAMES } from "../../../src/config";

const root = join(__dirname, "..", "..", "..");

const valid = {
  DURABLE_TASK_HUB: "plautopilot",
  TABLES_ENDPOINT: "UseDevelopmentStorage=true",
  TABLE_PREFIX: "pla",
  ARM_ENDPOINT: "https://management.azure.com",
  MANAGED_RESOURCE_IDS:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg, /subscriptions/00000000-0000-0000-0000-000000000002",
  DNS_ZONES_RESOURCE_GROUP_ID: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg",
  POLICY_SOURCE: "file:policy/default-policy.yaml",
  TOKEN_TIMEOUT_MS: "5000",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe("loadConfig", () => {
  it("parses a valid environment with defaults", () => {
    const config = loadConfig(valid);
    expect(config.managedResourceIds).toHaveLength(2);
    expect(config.tables).toEqual({ kind: "connection-string", connectionString: "UseDevelopmentStorage=true" });
    expect(config.policySource).toEqual({ kind: "file", path: join("policy", "default-policy.yaml") });
    expect(config.sweepSchedule).toBe("0 */5 * * * *");
    expect(config.tokenTimeoutMs).toBe(5000);
  });

  it("treats an https TABLES_ENDPOINT as the managed-identity endpoint", () => {
    const config = loadConfig({ ...valid, TABLES_ENDPOINT: "https://acct.table.core.windows.net/" });
    expect(config.tables).toEqual({ kind: "endpoint", url: "https://acct.table.core.windows.net" });
  });

  it("adds AZURE_CLIENT_ID to the self principals so our own writes are recognised", () => {
    const config = loadConfig({ ...valid, AZURE_CLIENT_ID: "11111111-2222-3333-4444-555555555555" });
    expect(config.selfPrincipalIds).toContain("11111111-2222-3333-4444-555555555555");
  });

  it.each([
    ["TABLES_ENDPOINT", ""],
    ["TABLES_ENDPOINT", "nonsense"],
    ["TABLES_ENDPOINT", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0"],
    ["MANAGED_RESOURCE_IDS", ""],
    ["MANAGED_RESOURCE_IDS", "/not/an/id"],
    ["DNS_ZONES_RESOURCE_GROUP_ID", ""],
    ["DNS_ZONES_RESOURCE_GROUP_ID", "/subscriptions/00000000-0000-0000-0000-000000000001"],
    ["POLICY_SOURCE", ""],
    ["POLICY_SOURCE", "https://example.com/policy.yaml"],
    ["POLICY_SOURCE", "file:../outside.yaml"],
    ["POLICY_SOURCE", "file:/etc/policy.yaml"],
    ["ARM_ENDPOINT", "http://management.example.com"],
    ["ARM_ENDPOINT", "not a url"],
    ["ARM_CA_FILE", "/definitely/not/here.pem"],
    ["AZURE_CLIENT_ID", "not-a-guid"],
    ["SELF_PRINCIPAL_IDS", "abc"],
    ["TABLE_PREFIX", "has-dash"],
    ["DURABLE_TASK_HUB", "x"],
    ["PLS_DNS_ZONE", "not a zone"],
    ["PLS_DNS_NAME_TEMPLATE", "static"],
    ["SWEEP_SCHEDULE", "*/5 * * * *"],
    ["CLEANUP_SCHEDULE", "daily"],
    ["SWEEP_LISTING", "graph"],
    ["TOKEN_TIMEOUT_MS", "ten"],
    ["TOKEN_TIMEOUT_MS", "999999"],
    ["APPROVAL_BASE_URL", "ftp://x"],
    ["APPROVAL_SIGNING_KEY", "short"],
    ["TEAMS_WEBHOOK_URL", "http://example.com/hook"],
    ["RETENTION_PERIOD", "30 days"],
    ["RETENTION_PERIOD", "PT0S"],
  ])("names %s when it is %j", (name, value) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toContain(name);
  });

  it("keeps retention off unless RETENTION_PERIOD is set, and takes an ISO 8601 duration", () => {
    expect(loadConfig(valid).retentionPeriod).toBeUndefined();
    expect(loadConfig({ ...valid, RETENTION_PERIOD: "" }).retentionPeriod).toBeUndefined();
    expect(loadConfig({ ...valid, RETENTION_PERIOD: "P30D" }).retentionPeriod).toBe("P30D");
  });

  it("collects every problem into one error", () => {
    const problems = problemsOf({});
    const text = problems.join("\n");
    for (const name of ["TABLES_ENDPOINT", "MANAGED_RESOURCE_IDS", "DNS_ZONES_RESOURCE_GROUP_ID", "POLICY_SOURCE"]) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it("never echoes a secret value in its errors", () => {
    const secret = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0c2VjcmV0";
    const problems = problemsOf({ ...valid, TABLES_ENDPOINT: secret, APPROVAL_SIGNING_KEY: "tiny-secret" });
    expect(problems.join("\n")).not.toContain("c2VjcmV0");
    expect(problems.join("\n")).not.toContain("tiny-secret");
  });

  it("refuses an unresolved Key Vault reference, naming the setting once and never using it as the value", () => {
    const reference = "@Microsoft.KeyVault(SecretUri=https://kv-pla.vault.azure.net/secrets/approval-signing-key)";
    const problems = problemsOf({
      ...valid,
      APPROVAL_SIGNING_KEY: reference,
      TEAMS_WEBHOOK_URL: ` @microsoft.keyvault(VaultName=kv-pla;SecretName=teams-webhook-url)`,
      POLICY_SOURCE: "@Microsoft.KeyVault(SecretUri=https://kv-pla.vault.azure.net/secrets/policy)",
    });
    expect(problems).toHaveLength(3);
    for (const name of ["APPROVAL_SIGNING_KEY", "TEAMS_WEBHOOK_URL", "POLICY_SOURCE"]) {
      expect(problems.filter((p) => p.startsWith(`${name} is an unresolved Key Vault reference`))).toHaveLength(1);
    }
    expect(problems.join("\n")).not.toContain("vault.azure.net");
  });

  it("accepts the value a Key Vault reference resolves to", () => {
    const config = loadConfig({ ...valid, APPROVAL_SIGNING_KEY: "k".repeat(64) });
    expect(config.approval.signingKey).toHaveLength(64);
  });

  it("local.settings.sample.json lists exactly the settings config reads (plus the host's own)", () => {
    const sample = JSON.parse(readFileSync(join(root, "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    expect(Object.keys(sample.Values).sort()).toEqual([...SETTING_NAMES, ...HOST_SETTING_NAMES].sort());
  });

  it("local.settings.sample.json and the README's settings table are what src/settings.ts describes", async () => {
    const drift = "drifted from src/settings.ts: run npm run settings:write";
    expect(readFileSync(join(root, "local.settings.sample.json"), "utf8"), drift).toBe(sampleSettingsJson());
    const readmePath = join(root, "README.md");
    const readme = readFileSync(readmePath, "utf8");
    expect(await readmeWithSettingsTable(readme, readmePath), drift).toBe(readme);
  });
});

describe("loadConfig: human approval settings", () => {
  const key = "k".repeat(44);

  it("defaults to both channels and the Entra sign-in path, and keeps the previous key for rotation", () => {
    const config = loadConfig({ ...valid, APPROVAL_SIGNING_KEY: key, APPROVAL_SIGNING_KEY_PREVIOUS: `p${key}` });
    expect(config.approval).toMatchObject({
      channels: ["teams", "email"],
      signInPath: "/.auth/login/aad",
      signingKey: key,
      previousSigningKey: `p${key}`,
    });
    expect(loadConfig({ ...valid, APPROVAL_CHANNELS: "Email" }).approval.channels).toEqual(["email"]);
  });

  it("names each bad approval setting", () => {
    const problems = problemsOf({
      ...valid,
      APPROVAL_CHANNELS: "teams,pager",
      APPROVAL_SIGN_IN_PATH: "https://evil.example/login",
      APPROVAL_SIGNING_KEY_PREVIOUS: key,
    });
    expect(problems).toEqual([
      "APPROVAL_SIGNING_KEY_PREVIOUS is set without APPROVAL_SIGNING_KEY: set the new key too.",
      "APPROVAL_CHANNELS must list teams and/or email (comma-separated).",
      "APPROVAL_SIGN_IN_PATH must be an App Service authentication sign-in path, e.g. /.auth/login/aad.",
    ]);
  });
});
