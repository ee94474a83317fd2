/**
 * What the Bicep compiler would check across files (BCP035/BCP037/BCP053-style errors), done offline: module
 * parameters against the module's declarations, output references against its outputs, and target scopes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  loadInfra,
  modules,
  outputNames,
  outputReferences,
  parameterNames,
  propertyKeys,
  requiredParameterNames,
  targetScope,
  type BicepFile,
} from "./bicep-source";

let files: BicepFile[] = [];
const byPath = (path: string) => files.find((f) => f.path === path);

beforeAll(async () => {
  files = await loadInfra();
});

describe("Bicep modules", () => {
  it("pass only parameters the module declares, and every parameter it requires", () => {
    const problems: string[] = [];
    const all = files.flatMap(modules);
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const m of all) {
      const target = byPath(m.path);
      if (!target) {
        problems.push(`${m.file}:${m.line} ${m.symbol}: ${m.path} not found`);
        continue;
      }
      const given = m.params ? propertyKeys(m.params) : [];
      const declared = parameterNames(target);
      for (const p of given)
        if (!declared.includes(p)) problems.push(`${m.file}:${m.line} ${m.symbol}: unknown param ${p}`);
      for (const p of requiredParameterNames(target)) {
        if (!given.includes(p)) problems.push(`${m.file}:${m.line} ${m.symbol}: missing param ${p}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("read only outputs the module declares", () => {
    const problems: string[] = [];
    for (const file of files) {
      const symbols = new Map(modules(file).map((m) => [m.symbol, m.path]));
      for (const ref of outputReferences(file)) {
        const path = symbols.get(ref.symbol);
        if (!path) continue; // a resource's outputs, not a module's
        const target = byPath(path);
        if (!target || !outputNames(target).includes(ref.output)) {
          problems.push(`${file.path}:${ref.line} ${ref.symbol}.outputs.${ref.output} is not declared in ${path}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("deploy at subscription scope from the entry templates", () => {
    expect(targetScope(byPath("infra/main.bicep")!)).toBe("subscription");
    expect(targetScope(byPath("infra/event-subscriptions.bicep")!)).toBe("subscription");
    expect(targetScope(byPath("infra/app/watched-subscription.bicep")!)).toBe("subscription");
    expect(targetScope(byPath("infra/app/function-app.bicep")!)).toBe("resourceGroup");
  });
});
