import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { HOST_SETTING_NAMES, HOST_SETTINGS, SETTING_NAMES, SETTINGS } from "../../src/settings";
import {
  INFRA,
  ROOT,
  descendants,
  parseBicep,
  property,
  propertyKeys,
  resources,
  stringLiteral,
  variable,
  type BicepFile,
} from "./bicep-source";

/** Settings the platform or its extensions read, which the app code never does. */
const PLATFORM_SETTING = /^(FUNCTIONS_|AzureWebJobs|APPLICATIONINSIGHTS_)/;

/** What the settings' description (src/settings.ts) says the Bicep deliberately does not set, with the reason. */
const localOnly: Record<string, string> = {
  ...Object.fromEntries(
    SETTING_NAMES.flatMap((name) => {
      const inAzure = SETTINGS[name].inAzure;
      return inAzure === true ? [] : [[name, inAzure.notSet]];
    }),
  ),
  ...Object.fromEntries(Object.entries(HOST_SETTINGS).map(([name, host]) => [name, host.notSetInAzure])),
};

let functionApp: BicepFile;
let settingKeys: string[];

beforeAll(async () => {
  const path = join(INFRA, "app/function-app.bicep");
  functionApp = await parseBicep(readFileSync(path, "utf8"), "infra/app/function-app.bicep");
  const settings = variable(functionApp, "appSettings");
  if (settings?.type !== "object") throw new Error("infra/app/function-app.bicep has no `var appSettings = { ... }`");
  settingKeys = propertyKeys(settings);
});

function settingValue(name: string) {
  return property(variable(functionApp, "appSettings"), name);
}

describe("app settings: Bicep vs the settings' description (src/settings.ts)", () => {
  it("applies the appSettings object as the site's appsettings", () => {
    const config = resources(functionApp).find(
      (r) => r.type === "Microsoft.Web/sites/config" && stringLiteral(property(r.body, "name")) === "appsettings",
    );
    expect(property(config?.body, "properties")?.text).toBe("appSettings");
  });

  it("sets every setting the code reads, except the documented local-only ones", () => {
    const expected = [...SETTING_NAMES, ...HOST_SETTING_NAMES].filter((name) => !(name in localOnly));
    expect(expected.filter((name) => !settingKeys.includes(name))).toEqual([]);
  });

  it("sets nothing the code does not read, apart from platform settings", () => {
    const known = new Set<string>(SETTING_NAMES);
    expect(settingKeys.filter((k) => !known.has(k) && !PLATFORM_SETTING.test(k))).toEqual([]);
  });

  it("keeps the local-only list honest: each entry is a real setting and is not set in Azure", () => {
    const all = new Set<string>([...SETTING_NAMES, ...HOST_SETTING_NAMES]);
    for (const [name, reason] of Object.entries(localOnly)) {
      expect(all.has(name), `${name} is not a setting the code knows`).toBe(true);
      expect(settingKeys, `${name} is local-only but set by Bicep`).not.toContain(name);
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it("matches the local settings sample for everything Azure sets", () => {
    const sample = JSON.parse(readFileSync(join(ROOT, "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    const appKeys = settingKeys.filter((k) => !PLATFORM_SETTING.test(k));
    expect(appKeys.filter((k) => !(k in sample.Values))).toEqual([]);
  });
});

describe("app settings: identity and secrets", () => {
  it("connects the host to storage with the user-assigned identity, not a connection string", () => {
    expect(settingKeys).not.toContain("AzureWebJobsStorage");
    expect(stringLiteral(settingValue("AzureWebJobsStorage__credential"))).toBe("managedidentity");
    expect(settingValue("AzureWebJobsStorage__clientId")?.text).toBe("identityClientId");
    expect(settingValue("AzureWebJobsStorage__accountName")?.text).toBe("storage.name");
    expect(settingValue("TABLES_ENDPOINT")?.text).toBe("storage.properties.primaryEndpoints.table");
    expect(settingValue("AZURE_CLIENT_ID")?.text).toBe("identityClientId");
  });

  it("sends telemetry with Entra authentication", () => {
    expect(settingValue("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")?.text).toBe(
      "'ClientId=${identityClientId};Authorization=AAD'",
    );
  });

  it("reads the signing key and the Teams webhook as Key Vault references", () => {
    expect(settingValue("APPROVAL_SIGNING_KEY")?.text).toBe("'@Microsoft.KeyVault(SecretUri=${signingKeySecretUri})'");
    expect(settingValue("TEAMS_WEBHOOK_URL")?.text).toContain(
      "'@Microsoft.KeyVault(SecretUri=${teamsWebhookSecretUri})'",
    );
    const site = resources(functionApp).find((r) => r.type === "Microsoft.Web/sites");
    expect(property(property(site?.body, "properties"), "keyVaultReferenceIdentity")?.text).toBe("identityId");
  });

  it("never puts a key, SAS or connection string into any template", async () => {
    const { loadInfra } = await import("./bicep-source");
    const text = (await loadInfra()).map((f) => f.text).join("\n");
    expect(text).not.toMatch(/AccountKey=|SharedAccessSignature=|listKeys\(|listConnectionStrings\(/);
    expect(
      descendants(functionApp.root, "call_expression").map((c) => c.childForFieldName("function")?.text),
    ).not.toContain("listKeys");
  });
});

/**
 * What Azure resolves the non-literal values to, for one representative deployment. Literals and parameter
 * defaults come from the templates themselves.
 */
const RESOLVED_IN_AZURE: Record<string, string> = {
  "storage.name": "stplaabc123",
  identityClientId: "11111111-1111-1111-1111-111111111111",
  identityPrincipalId: "22222222-2222-2222-2222-222222222222",
  applicationInsightsConnectionString:
    "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x",
  "storage.properties.primaryEndpoints.table": "https://stplaabc123.table.core.windows.net/",
  "'ClientId=${identityClientId};Authorization=AAD'": "ClientId=11111111-1111-1111-1111-111111111111;Authorization=AAD",
  armEndpoint: "https://management.azure.com",
  managedResourceIds:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/provider-rg,/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/paas-rg",
  dnsZonesResourceGroupId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dns-rg",
  plsDnsZone: "",
  approvers: "netops@contoso.example",
  acsEndpoint: "https://acs-pla-abc123.unitedstates.communication.azure.com",
  acsSender: "DoNotReply@00000000-0000-0000-0000-000000000000.azurecomm.net",
  "'https://${site.properties.defaultHostName}/api/approvals'":
    "https://func-plautopilot-abc123.azurewebsites.net/api/approvals",
  // Key Vault references, as the platform resolves them (the postprovision hook makes a 64-character key).
  "'@Microsoft.KeyVault(SecretUri=${signingKeySecretUri})'": "x".repeat(64),
  // No rotation in progress: the previous key is empty.
  "empty(previousSigningKeySecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${previousSigningKeySecretUri})'": "",
  "empty(teamsWebhookSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${teamsWebhookSecretUri})'":
    "https://prod.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke",
};

function parameterDefault(file: BicepFile, name: string): string | undefined {
  const decl = descendants(file.root, "parameter_declaration").find((d) => d.namedChildren[0]?.text === name);
  return stringLiteral(decl?.namedChildren[decl.namedChildren.length - 1]);
}

describe("app settings: the values Azure gets pass the app's own validation", () => {
  it("loadConfig accepts them (defaults, literals and resolved references), including the policy file path", async () => {
    const main = await parseBicep(readFileSync(join(INFRA, "main.bicep"), "utf8"), "infra/main.bicep");
    const env: Record<string, string> = {};
    const unresolved: string[] = [];
    for (const key of settingKeys) {
      const node = settingValue(key)!;
      const value =
        stringLiteral(node) ??
        RESOLVED_IN_AZURE[node.text] ??
        (node.type === "identifier"
          ? (parameterDefault(functionApp, node.text) ?? parameterDefault(main, node.text))
          : undefined);
      if (value === undefined) unresolved.push(`${key}: ${node.text}`);
      else env[key] = value;
    }
    expect(unresolved).toEqual([]);
    const config = loadConfig(env, { appRoot: ROOT });
    expect(config.tables).toEqual({ kind: "endpoint", url: "https://stplaabc123.table.core.windows.net" });
    expect(config.managedResourceIds).toHaveLength(2);
    expect(config.selfPrincipalIds).toEqual(
      expect.arrayContaining(["22222222-2222-2222-2222-222222222222", "11111111-1111-1111-1111-111111111111"]),
    );
  });
});
