/**
 * Packages the app the way `azd deploy` does (the `.funcignore` file set), then runs what the remote build runs
 * in it (`npm install` triggers `prepare`, then `npm run build`; Oryx, see docs/deployment.md) in a temporary
 * folder. The remote build used to fail here: the build compiled scripts/, which imports the devhost and sandbox
 * that the package leaves out.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./bicep-source";
import { isIgnored, packageFiles, parseIgnore, readFuncignore } from "./funcignore";

const rules = readFuncignore(ROOT);
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
let files: string[] = [];
let work: string;

beforeAll(() => {
  files = packageFiles(ROOT, rules);
  work = mkdtempSync(join(tmpdir(), "pla-package-"));
  // node_modules is never copied, so a package that wrongly includes it fails on that assertion, not on a timeout.
  for (const file of files.filter((f) => !f.startsWith("node_modules/"))) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    cpSync(join(ROOT, file), join(work, file));
  }
  // The remote build installs dependencies; the project's own install stands in for it.
  symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"), "dir");
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe(".funcignore reader", () => {
  it("applies gitignore rules: directories, basenames at any depth, anchored paths, globs", () => {
    const r = parseIgnore("# comment\nnode_modules/\n*.md\ndist/devhost/\n.git*\n");
    expect(isIgnored(r, "node_modules", true)).toBe(true);
    expect(isIgnored(r, "node_modules", false)).toBe(false);
    expect(isIgnored(r, "src/README.md", false)).toBe(true);
    expect(isIgnored(r, "dist/devhost", true)).toBe(true);
    expect(isIgnored(r, "x/dist/devhost", true)).toBe(false);
    expect(isIgnored(r, ".github", true)).toBe(true);
    expect(isIgnored(r, "src/config.ts", false)).toBe(false);
  });
});

describe("the deployment package (.funcignore)", () => {
  it("leaves out dependencies, local builds and everything that is not the app", () => {
    for (const dir of ["node_modules", "dist", "devhost", "sandbox", "scripts", "test", "infra", "bench"]) {
      expect(isIgnored(rules, dir, true), dir).toBe(true);
    }
    expect(files.filter((f) => /^(node_modules|dist|devhost|sandbox|scripts|test)\//.test(f))).toEqual([]);
    expect(files).not.toContain("local.settings.json");
  });

  it("carries what the host and the remote build need, including the policy the settings name", () => {
    for (const file of ["host.json", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.deploy.json"]) {
      expect(files, file).toContain(file);
    }
    expect(files).toContain("policy/default-policy.yaml");
    expect(files.some((f) => f.startsWith("functions/"))).toBe(true);
  });

  it("builds in the package alone, as the remote build does (prepare, then build)", () => {
    for (const script of ["prepare", "build"]) {
      const command = pkg.scripts[script];
      expect(command, `package.json has no ${script} script`).toBeDefined();
      const run = spawnSync("sh", ["-c", command!], {
        cwd: work,
        encoding: "utf8",
        env: { ...process.env, PATH: `${join(work, "node_modules/.bin")}:${process.env.PATH ?? ""}` },
      });
      expect(run.status, `${script}: ${command}\n${run.stdout}${run.stderr}`).toBe(0);
    }
    const functions = readdirSync(join(work, "functions")).filter((f) => f.endsWith(".ts"));
    expect(functions.length).toBeGreaterThan(3);
    for (const source of functions) {
      expect(existsSync(join(work, "dist/functions", source.replace(/\.ts$/, ".js"))), source).toBe(true);
    }
  }, 180_000);
});
