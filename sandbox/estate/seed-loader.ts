import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { familyOf } from "../arm/resource-families";
import type { EstateSeed } from "./seed-types";

/** The seed in sandbox/: found from the source tree (sandbox/estate) or the compiled one (dist/sandbox/estate). */
export function defaultSeedFile(): string {
  const beside = path.join(__dirname, "..", "estate.seed.json");
  return existsSync(beside) ? beside : path.join(__dirname, "..", "..", "..", "sandbox", "estate.seed.json");
}

/** Reads and checks a seed; every problem is named so the file can be fixed in one go. */
export function loadSeed(file: string): EstateSeed {
  let seed: EstateSeed;
  try {
    seed = JSON.parse(readFileSync(file, "utf8")) as EstateSeed;
  } catch (err) {
    throw new Error(
      `Cannot read the sandbox seed ${file}: ${(err as Error).message}. Fix or remove the seedFile option.`,
    );
  }
  const problems = checkSeed(seed);
  if (problems.length > 0) throw new Error(`The sandbox seed ${file} is invalid: ${problems.join("; ")}.`);
  return seed;
}

export function checkSeed(seed: EstateSeed): string[] {
  const problems: string[] = [];
  if (!seed?.provider?.subscriptionId) problems.push("provider.subscriptionId is missing");
  if (!seed?.provider?.resourceGroup) problems.push("provider.resourceGroup is missing");
  if (!Array.isArray(seed?.provider?.privateLinkServices)) problems.push("provider.privateLinkServices must be a list");
  for (const r of seed?.provider?.paasResources ?? []) {
    if (!familyOf(r.type)) problems.push(`paasResources: type ${r.type} is not simulated`);
  }
  if (!Array.isArray(seed?.dns?.zones)) problems.push("dns.zones must be a list");
  for (const c of seed?.consumers ?? []) {
    if (!/^\d+\.\d+\.\d+\.0\/24$/.test(c.subnetPrefix ?? "")) {
      problems.push(`consumer ${c.subscriptionId}: subnetPrefix must be a /24 like 10.1.2.0/24`);
    }
  }
  if (!seed?.managedIdentity?.clientId || !seed.managedIdentity.objectId) {
    problems.push("managedIdentity.clientId and objectId are required");
  }
  if (!(Number(seed?.armPageSize) >= 1)) problems.push("armPageSize must be a number >= 1");
  return problems;
}
