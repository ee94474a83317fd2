import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ROOT,
  descendants,
  loadInfra,
  modules,
  parseBicep,
  property,
  resources,
  stringLiteral,
  syntaxProblems,
  type BicepFile,
} from "./bicep-source";

/** Preview API versions allowed, each with the reason. Empty: every resource uses a GA version. */
const PREVIEW_API_ALLOWED: Record<string, string> = {};

let files: BicepFile[] = [];

beforeAll(async () => {
  files = await loadInfra();
});

describe("Bicep syntax (tree-sitter-bicep)", () => {
  it("finds the templates azd and the postdeploy hook deploy", () => {
    const paths = files.map((f) => f.path);
    expect(paths).toContain("infra/main.bicep");
    expect(paths).toContain("infra/event-subscriptions.bicep");
    expect(paths.length).toBeGreaterThanOrEqual(10);
  });

  it("parses every .bicep file with no ERROR or MISSING node", () => {
    expect(files.flatMap(syntaxProblems)).toEqual([]);
  });

  it("reports broken Bicep (the check can fail)", async () => {
    const broken = await parseBicep(
      "resource x 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'a'\n  properties: {\n}\n",
    );
    expect(syntaxProblems(broken).length).toBeGreaterThan(0);
    const spread = await parseBicep("var a = { ...b }\n");
    expect(syntaxProblems(spread).length).toBeGreaterThan(0);
  });

  it("points every module at a file that exists", () => {
    const missing = files.flatMap((f) => modules(f).map((m) => m.path)).filter((p) => !existsSync(join(ROOT, p)));
    expect(missing).toEqual([]);
  });
});

describe("Bicep resource rules", () => {
  it("pins a GA api-version on every resource declaration", () => {
    const all = files.flatMap(resources);
    expect(all.length).toBeGreaterThan(20);
    const unpinned = all.filter((r) => !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(r.apiVersion));
    expect(unpinned.map((r) => `${r.file}:${r.line} ${r.symbol}`)).toEqual([]);
    const preview = all.filter(
      (r) => r.apiVersion.endsWith("-preview") && !PREVIEW_API_ALLOWED[`${r.type}@${r.apiVersion}`],
    );
    expect(preview.map((r) => `${r.file}:${r.line} ${r.type}@${r.apiVersion}`)).toEqual([]);
  });

  it("names every role assignment with guid()", () => {
    const assignments = files
      .flatMap(resources)
      .filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && !r.existing);
    expect(assignments.length).toBeGreaterThanOrEqual(8);
    const badlyNamed = assignments.filter((r) => {
      const name = property(r.body, "name");
      return !(name?.type === "call_expression" && name.childForFieldName("function")?.text === "guid");
    });
    expect(badlyNamed.map((r) => `${r.file}:${r.line} ${r.symbol}`)).toEqual([]);
  });

  it("states the role by id and the principal type on every role assignment", () => {
    const assignments = files.flatMap(resources).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    for (const r of assignments) {
      const props = property(r.body, "properties");
      const where = `${r.file}:${r.line}`;
      expect(property(props, "roleDefinitionId")?.text, where).toMatch(
        /^subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', /,
      );
      expect(property(props, "principalId"), where).toBeDefined();
      // Without principalType a new identity's assignment can fail while Entra replicates it.
      const principalType = property(props, "principalType");
      expect(stringLiteral(principalType) ?? principalType?.text, where).toMatch(
        /^(ServicePrincipal|deployerPrincipalType)$/,
      );
    }
  });

  it("gives custom roles no data actions and no wildcard", () => {
    const roles = files.flatMap(resources).filter((r) => r.type === "Microsoft.Authorization/roleDefinitions");
    expect(roles.length).toBeGreaterThanOrEqual(1);
    for (const r of roles) {
      const permissions = property(property(r.body, "properties"), "permissions");
      const entries = descendants(permissions!, "object");
      for (const entry of entries) {
        expect(property(entry, "dataActions")?.text.replace(/\s/g, "")).toBe("[]");
        expect(property(entry, "notDataActions")?.text.replace(/\s/g, "")).toBe("[]");
      }
    }
    const everyString = files.flatMap((f) => descendants(f.root, "string")).map((s) => stringLiteral(s) ?? "");
    expect(everyString.filter((s) => /^Microsoft\.[A-Za-z]+\/.*\*/.test(s) || s === "*")).toEqual([]);
  });

  it("turns shared key access off on every storage account it creates", () => {
    const accounts = files
      .flatMap(resources)
      .filter((r) => r.type === "Microsoft.Storage/storageAccounts" && !r.existing);
    expect(accounts.length).toBe(1);
    for (const r of accounts) {
      const props = property(r.body, "properties");
      expect(property(props, "allowSharedKeyAccess")?.text).toBe("false");
      expect(property(props, "allowBlobPublicAccess")?.text).toBe("false");
      expect(stringLiteral(property(props, "minimumTlsVersion"))).toBe("TLS1_2");
    }
  });

  it("turns local auth off on Application Insights and uses RBAC on Key Vault", () => {
    const all = files.flatMap(resources);
    const insights = all.find((r) => r.type === "Microsoft.Insights/components");
    expect(property(property(insights?.body, "properties"), "DisableLocalAuth")?.text).toBe("true");
    const vault = all.find((r) => r.type === "Microsoft.KeyVault/vaults");
    expect(property(property(vault?.body, "properties"), "enableRbacAuthorization")?.text).toBe("true");
  });

  it("runs the app on Flex Consumption with a user-assigned identity and Node 20+", () => {
    const all = files.flatMap(resources);
    const plan = all.find((r) => r.type === "Microsoft.Web/serverfarms");
    expect(stringLiteral(property(property(plan?.body, "sku"), "tier"))).toBe("FlexConsumption");
    const site = all.find((r) => r.type === "Microsoft.Web/sites");
    expect(stringLiteral(property(property(site?.body, "identity"), "type"))).toBe("UserAssigned");
    const config = property(property(site?.body, "properties"), "functionAppConfig");
    expect(stringLiteral(property(property(config, "runtime"), "name"))).toBe("node");
    const storage = property(property(config, "deployment"), "storage");
    expect(stringLiteral(property(storage, "type"))).toBe("blobContainer");
    expect(stringLiteral(property(property(storage, "authentication"), "type"))).toBe("UserAssignedIdentity");
    expect(property(config, "scaleAndConcurrency")).toBeDefined();
    const main = files.find((f) => f.path === "infra/main.bicep")!;
    const nodeVersion = descendants(main.root, "parameter_declaration").find(
      (d) => d.namedChildren[0]?.text === "nodeVersion",
    );
    expect(nodeVersion?.text).toMatch(/=\s*'20'/);
  });

  it("validates Entra tokens with App Service authentication but lets keyed and webhook calls reach the host", () => {
    const auth = files
      .flatMap(resources)
      .find(
        (r) => r.type === "Microsoft.Web/sites/config" && stringLiteral(property(r.body, "name")) === "authsettingsV2",
      );
    const props = property(auth?.body, "properties");
    expect(property(property(props, "platform"), "enabled")?.text).toBe("true");
    const validation = property(props, "globalValidation");
    // Return401 / requireAuthentication: true would refuse function-key automation before the host sees the key.
    expect(property(validation, "requireAuthentication")?.text).toBe("false");
    expect(stringLiteral(property(validation, "unauthenticatedClientAction"))).toBe("AllowAnonymous");
    const aad = property(property(props, "identityProviders"), "azureActiveDirectory");
    expect(property(property(aad, "registration"), "clientId")?.text).toBe("authClientId");
  });
});

describe("HTTP functions: the host refuses anonymous callers (App Service authentication lets them through)", () => {
  /** Routes a caller may reach without a key, each with the reason. */
  // Routes for people are anonymous to the Functions host: App Service authentication signs them in and the function
  // checks the principal's app role in code (src/app/access.ts, the approval service), answering 401/403 itself.
  const PEOPLE = "a person signed in through App Service authentication; the app role is checked in code";
  const ANONYMOUS_FUNCTIONS: Record<string, string> = {
    health: "probes and the post-deploy smoke check; it never shows a secret",
    openapi: "the API description; it holds no data",
    "approval-page":
      "the signed approval link plus the signed-in approver (mail scanners may fetch it; a GET never decides)",
    "connection-decision": PEOPLE,
    "connection-renew": PEOPLE,
    console: PEOPLE,
    "console-connections": PEOPLE,
    "console-connection": PEOPLE,
    "console-tenants": PEOPLE,
    tenants: PEOPLE,
    tenant: PEOPLE,
    "policy-evaluate": PEOPLE,
    "policy-what-if": PEOPLE,
  };

  it("registers every HTTP function with authLevel 'function', except the documented anonymous ones", () => {
    const dir = join(ROOT, "functions");
    const registrations = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [
        ...readFileSync(join(dir, f), "utf8").matchAll(/app\.http\(\s*"([^"]+)",\s*\{([\s\S]*?)handler/g),
      ])
      .map(([, name, options]) => ({ name: name!, authLevel: /authLevel:\s*"([a-z]+)"/.exec(options ?? "")?.[1] }));
    expect(registrations.length).toBeGreaterThanOrEqual(4);
    const open = registrations.filter((r) => r.authLevel !== "function");
    expect(open.filter((r) => !(r.name in ANONYMOUS_FUNCTIONS))).toEqual([]);
    expect(open.every((r) => r.authLevel === "anonymous")).toBe(true);
    expect(registrations.find((r) => r.name === "reviews")?.authLevel).toBe("function");
  });
});
