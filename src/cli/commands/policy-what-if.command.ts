import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { appClient, APP_OPTIONS } from "../app-client";
import { parseArgs, required } from "../args";
import { readInput } from "../read-input";

interface WhatIfPage {
  currentPolicyVersion: string;
  proposedPolicyVersion: string;
  examined: number;
  changes: unknown[];
  missingOnAzure: string[];
  continuation?: string;
}

const MAX_PAGES = 10_000;

/**
 * policy what-if --policy <file> [--page-size N]: what the proposed policy would change against the one in force,
 * over every recorded connection (the app walks them a page at a time; this follows the pages to the end).
 */
export async function policyWhatIf(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "policy", "page-size"]);
  if (args.positional.length > 0) throw new UsageError(`Unexpected argument "${args.positional[0]}".`);
  const policy = await readInput(io, required(args, "policy"), "policy");
  const pageSize = Number(args.options.get("page-size") ?? "200");
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
    throw new UsageError("--page-size must be a whole number from 1 to 500.");
  }
  const client = appClient(args, io);
  const total = { examined: 0, changes: [] as unknown[], missingOnAzure: [] as string[] };
  let page: WhatIfPage | undefined;
  for (let n = 0; n < MAX_PAGES && (n === 0 || page?.continuation); n++) {
    const body = { policy, pageSize, ...(page?.continuation ? { continuation: page.continuation } : {}) };
    page = (await client.call("POST", "/policy/what-if", body)).body as WhatIfPage;
    total.examined += page.examined;
    total.changes.push(...page.changes);
    total.missingOnAzure.push(...page.missingOnAzure);
  }
  return {
    currentPolicyVersion: page?.currentPolicyVersion,
    proposedPolicyVersion: page?.proposedPolicyVersion,
    examined: total.examined,
    changed: total.changes.length,
    changes: total.changes,
    missingOnAzure: total.missingOnAzure,
  };
}
