import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { documentedOperations, openApiProblems } from "../../support/openapi-check";

const functionsDir = path.resolve(__dirname, "..", "..", "..", "functions");

/** "METHOD /route" of every HTTP function the app registers, read from the registrations themselves. */
function registeredOperations(): string[] {
  return readdirSync(functionsDir)
    .filter((f) => f.endsWith(".ts"))
    .flatMap((file) => {
      const source = readFileSync(path.join(functionsDir, file), "utf8");
      return [...source.matchAll(/app\.http\(\s*"[^"]+",\s*\{([\s\S]*?)\}\);/g)].flatMap(([, options]) => {
        const route = /route:\s*"([^"]+)"/.exec(options!)?.[1];
        const methods = /methods:\s*\[([^\]]*)\]/.exec(options!)?.[1]?.match(/[A-Z]+/g) ?? [];
        return route ? methods.map((m) => `${m} /${route}`) : [];
      });
    });
}

describe("the OpenAPI document", () => {
  it("documents every HTTP route the app registers, and no other", () => {
    const registered = registeredOperations();
    expect(registered.length).toBeGreaterThan(10);
    const documented = documentedOperations();
    expect(registered.filter((op) => !documented.includes(op))).toEqual([]);
    expect(documented.filter((op) => !registered.includes(op))).toEqual([]);
  });

  it("flags an answer that drifted from it", () => {
    const good = {
      method: "GET",
      path: "/tenants",
      status: 200,
      contentType: "application/json",
      body: { count: 0, tenants: [] },
    };
    expect(openApiProblems(good)).toEqual([]);
    expect(openApiProblems({ ...good, body: { count: "none", tenants: [] } })).not.toEqual([]);
    expect(openApiProblems({ ...good, body: { count: 1, tenants: [{ tenantId: "t" }] } })).not.toEqual([]);
    expect(openApiProblems({ ...good, status: 418 })).not.toEqual([]);
    expect(openApiProblems({ ...good, contentType: "text/plain" })).not.toEqual([]);
    expect(openApiProblems({ ...good, path: "/tenants/a/b" })).not.toEqual([]);
    expect(openApiProblems({ ...good, method: "POST" })).not.toEqual([]);
    expect(openApiProblems({ ...good, status: 403, body: { error: { code: "ROLE_REQUIRED" } } })).not.toEqual([]);
  });
});
