import { parsePolicy } from "../../domain/policy";
import { parseArgs } from "../args";
import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { readInput } from "../read-input";

/** policy check <policy-file>: validates a policy against its JSON Schema and the engine's own rules. */
export async function policyCheck(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, []);
  const [file, ...extra] = args.positional;
  if (file === undefined || extra.length > 0) throw new UsageError("policy check takes one policy file.");
  const policy = parsePolicy(await readInput(io, file, "policy"));
  const doc = policy.document;
  return {
    valid: true,
    version: policy.version,
    rules: doc.rules.map((r) => ({ id: r.id, verdict: r.then.verdict })),
    default: doc.default?.verdict ?? "review (engine default)",
  };
}
