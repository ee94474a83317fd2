/**
 * The Function App against Microsoft's list of site properties and app settings that the Flex Consumption plan
 * deprecates or refuses (test/infra/reference/flex-consumption-deprecations.json, copied from Microsoft Learn).
 * `siteConfig.ftpsState` on this list stopped deployments in some regions.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Node } from "web-tree-sitter";
import { beforeAll, describe, expect, it } from "vitest";
import { INFRA, parseBicep, property, propertyKeys, resources, variable, type BicepFile } from "./bicep-source";

const deprecations = JSON.parse(
  readFileSync(join(__dirname, "reference/flex-consumption-deprecations.json"), "utf8"),
) as { appSettings: string[]; siteProperties: string[] };

/** Every property key inside an object, at any depth (`properties.siteConfig.ftpsState` yields `ftpsState`). */
function nestedKeys(object: Node | undefined): string[] {
  if (object?.type !== "object") return [];
  return propertyKeys(object).flatMap((key) => [key, ...nestedKeys(property(object, key))]);
}

const refused = (keys: string[], list: string[]): string[] => {
  const lower = new Set(list.map((k) => k.toLowerCase()));
  return keys.filter((k) => lower.has(k.toLowerCase()));
};

let functionApp: BicepFile;

beforeAll(async () => {
  functionApp = await parseBicep(
    readFileSync(join(INFRA, "app/function-app.bicep"), "utf8"),
    "infra/app/function-app.bicep",
  );
});

describe("Flex Consumption: nothing the plan refuses", () => {
  it("runs the Function App on the Flex Consumption plan (the list applies)", () => {
    const plan = resources(functionApp).find((r) => r.type === "Microsoft.Web/serverfarms");
    expect(property(property(plan?.body, "sku"), "tier")?.text).toBe("'FlexConsumption'");
  });

  it("sets no deprecated site property, at any depth of the site or its config resources", () => {
    const sites = resources(functionApp).filter((r) => r.type === "Microsoft.Web/sites" && !r.existing);
    expect(sites).toHaveLength(1);
    const configs = resources(functionApp).filter((r) => r.type === "Microsoft.Web/sites/config");
    const keys = [...sites, ...configs].flatMap((r) => nestedKeys(property(r.body, "properties")));
    expect(keys).toContain("functionAppConfig");
    expect(refused(keys, deprecations.siteProperties)).toEqual([]);
  });

  it("sets no deprecated app setting", () => {
    const keys = nestedKeys(variable(functionApp, "appSettings"));
    expect(keys.length).toBeGreaterThan(10);
    expect(refused(keys, deprecations.appSettings)).toEqual([]);
  });

  it("catches a refused property (the check can fail)", async () => {
    const old = await parseBicep(
      "resource s 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'a'\n  properties: {\n    siteConfig: {\n      minTlsVersion: '1.2'\n      ftpsState: 'Disabled'\n    }\n  }\n}\n",
    );
    const site = resources(old)[0];
    expect(refused(nestedKeys(property(site?.body, "properties")), deprecations.siteProperties)).toEqual(["ftpsState"]);
  });
});
