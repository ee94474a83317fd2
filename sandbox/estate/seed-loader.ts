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
    if (!subnetRange(c.subnetPrefix ?? "")) {
      problems.push(`consumer ${c.subscriptionId}: subnetPrefix must be a /16 to /24 like 10.1.2.0/24`);
    }
  }
  if (!seed?.managedIdentity?.clientId || !seed.managedIdentity.objectId) {
    problems.push("managedIdentity.clientId and objectId are required");
  }
  if (!(Number(seed?.armPageSize) >= 1)) problems.push("armPageSize must be a number >= 1");
  return problems;
}

/**
 * A subnet's first address and size, for prefixes /16 to /24 whose host bits are zero; undefined otherwise (Azure
 * allows more; the seeds need no other). Azure keeps the first four addresses and the last one of every subnet
 * ("Virtual Network FAQ": learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
 */
export function subnetRange(prefix: string): { base: number; size: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{2})$/.exec(prefix);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const length = Number(m[5]);
  if (octets.some((o) => o > 255) || length < 16 || length > 24) return undefined;
  const base = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - length);
  return base % size === 0 ? { base, size } : undefined;
}
