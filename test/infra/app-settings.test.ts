import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HOST_SETTING_NAMES, SETTING_NAMES } from "../../src/config";
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

const localOnly = (
  JSON.parse(readFileSync(join(INFRA, "app-settings.local-only.json"), "utf8")) as { settings: Record<string, string> }
).settings;

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

describe("app settings: Bicep vs the code's contract (src/config.ts)", () => {
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
