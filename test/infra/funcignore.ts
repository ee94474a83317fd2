/**
 * The deployment package as azd builds it: every file under the project root except what `.funcignore` excludes
 * (gitignore syntax; the subset this project uses: comments, `dir/`, anchored `a/b`, `*` globs, no negation).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface IgnoreRule {
  pattern: string;
  directoryOnly: boolean;
  anchored: boolean;
  regex: RegExp;
}

export function parseIgnore(text: string): IgnoreRule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      if (line.startsWith("!")) throw new Error(`negated pattern not supported by this reader: ${line}`);
      const directoryOnly = line.endsWith("/");
      const body = line.replace(/^\//, "").replace(/\/$/, "");
      const glob = body
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*");
      return { pattern: line, directoryOnly, anchored: body.includes("/"), regex: new RegExp(`^${glob}$`) };
    });
}

/** Whether a path relative to the root (forward slashes) is excluded, as gitignore decides for one entry. */
export function isIgnored(rules: readonly IgnoreRule[], path: string, isDirectory: boolean): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return rules.some((rule) => (!rule.directoryOnly || isDirectory) && rule.regex.test(rule.anchored ? path : name));
}

/** The files of the package, relative to root; an excluded directory is not entered (as azd does). */
export function packageFiles(root: string, rules: readonly IgnoreRule[], dir = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (isIgnored(rules, path, entry.isDirectory())) continue;
    if (entry.isDirectory()) out.push(...packageFiles(root, rules, path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

export function readFuncignore(root: string): IgnoreRule[] {
  return parseIgnore(readFileSync(join(root, ".funcignore"), "utf8"));
}
