import { parseEventGridPayload } from "../../domain/intake";
import { parseArgs } from "../args";
import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { readInput } from "../read-input";

/** events parse <file|-> [--self <principal-id,...>]: the intake signals an Event Grid payload yields. */
export async function eventsParse(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, ["self"]);
  const [file, ...extra] = args.positional;
  if (file === undefined || extra.length > 0) throw new UsageError("events parse takes one file (or - for stdin).");
  const text = await readInput(io, file, "event payload");
  const selfPrincipalIds = (args.options.get("self") ?? "").split(",").filter((s) => s.trim() !== "");
  return parseEventGridPayload(text.replace(/^\uFEFF/, ""), { selfPrincipalIds });
}
