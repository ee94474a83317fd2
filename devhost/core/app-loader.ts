import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import Module from "node:module";
import { availableParallelism } from "node:os";
import path from "node:path";

export interface AppConfig {
  appRoot: string;
  entryFiles: string[];
  routePrefix: string;
  hubName: string;
  /** host.json `extensions.durableTask.maxConcurrent*Functions`, or the host's default. */
  maxConcurrentActivities: number;
  maxConcurrentOrchestrations: number;
}

/** The Durable extension's default for both limits on a dedicated or premium worker: 10 × the processors. */
export const DEFAULT_CONCURRENCY = 10 * availableParallelism();

export class AppConfigError extends Error {}

/** Reads package.json `main` (a file or glob) and host.json of an app root, as the host does before loading. */
export function readAppConfig(appRoot: string, settings: Record<string, string | undefined>): AppConfig {
  const pkgPath = path.join(appRoot, "package.json");
  if (!existsSync(pkgPath)) throw new AppConfigError(`No package.json in ${appRoot}; pass the function app's root.`);
  const pkg = readJson(pkgPath) as { main?: unknown };
  if (typeof pkg.main !== "string" || pkg.main === "") {
    throw new AppConfigError(`${pkgPath} has no "main"; set it to the entry point(s), e.g. "dist/functions/*.js".`);
  }
  const entryFiles = expandGlob(appRoot, pkg.main);
  if (entryFiles.length === 0) {
    throw new AppConfigError(`"main" (${pkg.main}) matches no file under ${appRoot}; build the app first.`);
  }
  const hostPath = path.join(appRoot, "host.json");
  const host = (existsSync(hostPath) ? readJson(hostPath) : {}) as {
    extensions?: { http?: { routePrefix?: unknown }; durableTask?: Record<string, unknown> };
  };
  const durable = host.extensions?.durableTask ?? {};
  const prefix = host.extensions?.http?.routePrefix;
  const hub = durable.hubName;
  return {
    appRoot,
    entryFiles,
    routePrefix: typeof prefix === "string" ? prefix.replace(/^\/+|\/+$/g, "") : "api",
    hubName: resolveSetting(typeof hub === "string" && hub !== "" ? hub : "TestHubName", settings, "hubName"),
    maxConcurrentActivities: limit(durable.maxConcurrentActivityFunctions, "maxConcurrentActivityFunctions"),
    maxConcurrentOrchestrations: limit(
      durable.maxConcurrentOrchestratorFunctions,
      "maxConcurrentOrchestratorFunctions",
    ),
  };
}

function limit(value: unknown, name: string): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  throw new AppConfigError(
    `host.json extensions.durableTask.${name} is ${JSON.stringify(value)}; set a positive whole number or leave it out.`,
  );
}

/** `%NAME%` → the setting's value, as the host resolves binding expressions in host.json and schedules. */
export function resolveSetting(value: string, settings: Record<string, string | undefined>, what: string): string {
  const m = /^%([^%]+)%$/.exec(value.trim());
  if (!m) return value;
  const resolved = settings[m[1]!];
  if (resolved === undefined || resolved === "") {
    throw new AppConfigError(`${what} refers to the setting ${m[1]} which is not set; add it to the settings.`);
  }
  return resolved;
}

/** Loads the entry points; registrations happen as a side effect of requiring them. */
export function loadEntryFiles(config: AppConfig): void {
  const req = Module.createRequire(path.join(config.appRoot, "package.json"));
  for (const file of config.entryFiles) req(file);
}

/** Forgets previously loaded app modules and the functions packages, so a second start in one process re-registers. */
export function forgetLoadedModules(appRoot: string): void {
  const app = path.resolve(appRoot) + path.sep;
  const appModules = path.join(app, "node_modules") + path.sep;
  const packages: string[] = [];
  const req = Module.createRequire(path.join(appRoot, "package.json"));
  for (const pkg of ["@azure/functions", "durable-functions"]) {
    try {
      packages.push(path.dirname(req.resolve(`${pkg}/package.json`)) + path.sep);
    } catch {
      // Not installed for this app: nothing to forget.
    }
  }
  // Module._cache is require.cache; reached through Module so this also works when a test runner loads us as ESM.
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  for (const key of Object.keys(cache)) {
    const inApp = key.startsWith(app) && !key.startsWith(appModules);
    if (inApp || packages.some((p) => key.startsWith(p))) delete cache[key];
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as unknown;
  } catch (err) {
    throw new AppConfigError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A small glob: `*` within a segment, `**` for any depth. Enough for package.json `main`. */
export function expandGlob(root: string, pattern: string): string[] {
  const segments = pattern.replace(/^\.\//, "").split("/");
  const out: string[] = [];
  walk(path.resolve(root), 0);
  return out.sort();

  function walk(dir: string, i: number): void {
    if (i === segments.length) return;
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === "**") {
      walk(dir, i + 1);
      for (const entry of safeList(dir)) {
        const full = path.join(dir, entry);
        if (entry !== "node_modules" && isDir(full)) walk(full, i);
      }
      return;
    }
    if (!seg.includes("*")) {
      const full = path.join(dir, seg);
      if (last && isFile(full)) out.push(full);
      else if (!last && isDir(full)) walk(full, i + 1);
      return;
    }
    const re = new RegExp("^" + seg.split("*").map(escapeRe).join("[^/]*") + "$");
    for (const entry of safeList(dir)) {
      if (!re.test(entry)) continue;
      const full = path.join(dir, entry);
      if (last && isFile(full)) out.push(full);
      else if (!last && isDir(full)) walk(full, i + 1);
    }
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}
