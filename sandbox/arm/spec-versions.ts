import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

/** Where the vendored Azure REST API specs live (test/contracts/specs mirrors the repository's specification/). */
function specsRoot(): string {
  // From sandbox/arm (sources) or dist/sandbox/arm (built): the first ancestor that holds the vendored specs.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "test", "contracts", "specs");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error("The vendored REST specs (test/contracts/specs) were not found.");
  }
}

const cache = new Map<string, readonly string[]>();

/**
 * The api-versions the sandbox accepts for a spec folder such as "network/resource-manager/Microsoft.Network":
 * exactly the stable and preview versions vendored from Azure's REST specs, so an api-version no spec here
 * describes is refused as ARM refuses an unknown one.
 */
export function vendoredApiVersions(specFolder: string): readonly string[] {
  const known = cache.get(specFolder);
  if (known) return known;
  const root = path.join(specsRoot(), ...specFolder.split("/"));
  const versions = ["stable", "preview"]
    .flatMap((kind) => (existsSync(path.join(root, kind)) ? readdirSync(path.join(root, kind)) : []))
    .sort();
  if (versions.length === 0) throw new Error(`No vendored REST spec under ${specFolder}: vendor one (test/contracts).`);
  cache.set(specFolder, versions);
  return versions;
}
