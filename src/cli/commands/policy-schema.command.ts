import { POLICY_SCHEMA } from "../../domain/policy";
import { parseArgs } from "../args";
import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";

/** policy schema: prints the policy JSON Schema (policy/policy.schema.json is this output). */
export async function policySchema(argv: readonly string[], _io: CliIo): Promise<unknown> {
  if (parseArgs(argv, []).positional.length > 0) throw new UsageError("policy schema takes no arguments.");
  return POLICY_SCHEMA;
}
