/**
 * Loads the COMPILED function files (npm test builds first) with a stand-in for the worker's
 * @azure/functions-core, as the Functions host does, and checks what they register, without reading settings or
 * loading the heavy SDKs at registration.
 */
import { existsSync, readdirSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ActivityNames, OrchestrationNames } from "../../../src/workflow/names";

const dist = join(__dirname, "..", "..", "..", "dist", "functions");

describe("function registration (dist/functions)", () => {
  it("registers every trigger, orchestration and activity, and the appStart hook", () => {
    expect(existsSync(dist), "run `npm run build` first").toBe(true);
    const registered: { name: string; types: string[] }[] = [];
    const hooks: string[] = [];
    const core = {
      version: "4.0.0",
      setProgrammingModel: () => undefined,
      getProgrammingModel: () => undefined,
      registerFunction: (meta: { name: string; bindings: Record<string, { type: string }> }) => {
        registered.push({ name: meta.name, types: Object.values(meta.bindings).map((b) => b.type) });
        return { dispose: () => undefined };
      },
      registerHook: (name: string) => {
        hooks.push(name);
        return { dispose: () => undefined };
      },
      log: () => undefined,
    };
    const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
    const original = loader._load;
    const envBefore = { ...process.env };
    for (const key of ["TABLES_ENDPOINT", "MANAGED_RESOURCE_IDS"]) delete process.env[key];
    loader._load = function (request: string, ...rest: unknown[]) {
      if (request === "@azure/functions-core") return core;
      return original.call(this, request, ...rest);
    };
    try {
      const load = createRequire(join(dist, "index.js"));
      for (const file of readdirSync(dist).filter((f) => f.endsWith(".js"))) load(join(dist, file));
      const heavy = Object.keys(load.cache).filter((k) =>
        /@azure[\\/](arm-network|arm-resources|arm-privatedns|data-tables|identity)[\\/]|node_modules[\\/](ajv|yaml)[\\/]/.test(
          k,
        ),
      );
      expect(heavy).toEqual([]);
    } finally {
      loader._load = original;
      process.env = envBefore;
    }
    const names = registered.map((r) => r.name);
    for (const name of [...Object.values(OrchestrationNames), ...Object.values(ActivityNames)])
      expect(names).toContain(name);
    for (const name of [
      "resource-events",
      "sweep",
      "cleanup-sweep",
      "reviews",
      "connections",
      "connection",
      "health",
      "tenants",
      "tenant",
      "policy-evaluate",
      "policy-what-if",
      "openapi",
      "console",
      "console-connections",
      "console-connection",
      "console-tenants",
    ]) {
      expect(names).toContain(name);
    }
    expect(registered.find((r) => r.name === "resource-events")?.types).toEqual(["eventGridTrigger", "durableClient"]);
    expect(hooks).toEqual(["appStart"]);
  });
});
