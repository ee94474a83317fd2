import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { Ajv2019 } from "ajv/dist/2019";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { INFRA, ROOT, loadInfra, parameterNames, requiredParameterNames, type BicepFile } from "./bicep-source";

const SCHEMAS = join(__dirname, "schemas");
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/** Every remote $ref in a schema (other than its own id), so each can be stubbed offline. */
function remoteRefs(schema: unknown, own: string): string[] {
  const refs = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (k === "$ref" && typeof child === "string" && /^https?:/.test(child)) refs.add(child.split("#")[0]!);
        else walk(child);
      }
    }
  };
  walk(schema);
  refs.delete(own);
  return [...refs];
}

function azdValidator() {
  const schema = readJson(join(SCHEMAS, "azure.yaml.json")) as { $id: string };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The azure.ai.* extension schemas apply only to hosts this project does not use: permissive stubs.
  for (const ref of remoteRefs(schema, schema.$id)) ajv.addSchema({ $id: ref }, ref);
  return ajv.compile(schema);
}

function parametersValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const template = readJson(join(SCHEMAS, "deploymentTemplate.definitions.json")) as object;
  ajv.addSchema(template, "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json");
  // Draft-04 `id` is ignored by Ajv 8; its local refs resolve against the schema root all the same.
  const {
    $schema: _draft04,
    id: _id,
    ...schema
  } = readJson(join(SCHEMAS, "deploymentParameters.json")) as Record<string, unknown>;
  return ajv.compile(schema);
}

const azureYaml = parseYaml(readFileSync(join(ROOT, "azure.yaml"), "utf8")) as {
  name: string;
  services: Record<string, { project: string; language: string; host: string }>;
  hooks: Record<string, { run: string; shell: string }>;
};
const parameters = readJson(join(INFRA, "main.parameters.json")) as {
  parameters: Record<string, { value: unknown }>;
};

let main: BicepFile;

beforeAll(async () => {
  main = (await loadInfra()).find((f) => f.path === "infra/main.bicep")!;
});

describe("azure.yaml", () => {
  it("validates against the Azure Developer CLI schema", () => {
    const validate = azdValidator();
    expect(validate(azureYaml), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("is rejected by the schema when broken (the check can fail)", () => {
    const validate = azdValidator();
    expect(validate({ ...azureYaml, name: "Not Valid" })).toBe(false);
    expect(validate({ ...azureYaml, hooks: { postdeploy: { shell: "bash", run: "x" } } })).toBe(false);
    expect(validate({ ...azureYaml, services: { api: { language: "ts", host: "function" } } })).toBe(false);
  });

  it("deploys the api service as a TypeScript function app and runs its hooks from scripts/azd", () => {
    expect(azureYaml.services.api).toMatchObject({ project: ".", language: "ts", host: "function" });
    expect(azureYaml.hooks.preprovision?.run).toBe("scripts/azd/preprovision.sh");
    expect(azureYaml.hooks.postprovision?.run).toBe("scripts/azd/postprovision.sh");
    expect(azureYaml.hooks.postdeploy?.run).toBe("scripts/azd/postdeploy.sh");
  });
});

describe("infra/main.parameters.json", () => {
  it("validates against the deployment parameters schema", () => {
    const validate = parametersValidator();
    expect(validate(parameters), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...parameters, contentVersion: "1.0" })).toBe(false);
    expect(validate({ ...parameters, parameters: { a: { value: 1, extra: true } } })).toBe(false);
  });

  it("names only parameters main.bicep declares, and supplies every required one", () => {
    const declared = parameterNames(main);
    const given = Object.keys(parameters.parameters);
    expect(given.filter((p) => !declared.includes(p))).toEqual([]);
    expect(requiredParameterNames(main).filter((p) => !given.includes(p))).toEqual([]);
    expect(requiredParameterNames(main)).toEqual(
      expect.arrayContaining(["environmentName", "location", "authClientId", "managedResourceGroupIds"]),
    );
  });

  it("takes every value from the azd environment, never a literal secret", () => {
    for (const [name, { value }] of Object.entries(parameters.parameters)) {
      expect(value, name).toMatch(/^\$\{[A-Z_]+(=[^}]*)?\}$/);
    }
  });
});
