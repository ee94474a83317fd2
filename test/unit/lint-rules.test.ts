import { ESLint } from "eslint";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** The determinism rules are the guard that keeps orchestrations replayable: prove the config still enforces them. */
describe("lint rules for domain and workflow code", () => {
  const eslint = new ESLint({ cwd: path.resolve(__dirname, "..", "..") });
  const probe = [
    'import { readFileSync } from "node:fs";',
    'import { TableClient } from "@azure/data-tables";',
    "export const t = (): number => Date.now() + Math.random() + new Date().getTime() + readFileSync.length;",
    "export const c = TableClient;",
  ].join("\n");

  // An existing file's path, so the typed project service knows it; the text linted is the probe.
  const rulesHit = async (filePath: string): Promise<string[]> => {
    const [result] = await eslint.lintText(probe, { filePath });
    return [...new Set(result!.messages.map((m) => m.ruleId ?? m.message))].sort();
  };

  it.each(["src/workflow/names.ts", "src/domain/errors.ts"])(
    "refuses wall-clock time, randomness, Node and Azure SDK imports in %s",
    async (file) => {
      const hit = await rulesHit(file);
      expect(hit).toEqual(["no-restricted-imports", "no-restricted-properties", "no-restricted-syntax"]);
    },
  );

  it("allows them in adapters, where I/O belongs", async () => {
    const hit = await rulesHit("src/adapters/arm/operations.ts");
    expect(hit.filter((h) => h.startsWith("Parsing error"))).toEqual([]);
    expect(hit).not.toContain("no-restricted-properties");
    expect(hit).not.toContain("no-restricted-imports");
  });
});
