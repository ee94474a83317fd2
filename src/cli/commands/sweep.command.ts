import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { appClient, APP_OPTIONS } from "../app-client";
import { parseArgs, type ParsedArgs } from "../args";

const KINDS = ["review", "cleanup"] as const;
const DRY_RUN = "--dry-run";

/** --kind review|cleanup picks one sweep; without it, both. */
function kindsOf(kind: string | undefined): readonly string[] {
  if (kind === undefined) return KINDS;
  if ((KINDS as readonly string[]).includes(kind)) return [kind];
  throw new UsageError(`--kind must be review or cleanup, not "${kind}".`);
}

/**
 * sweep --dry-run [--kind review|cleanup]: what the sweep and the clean-up would do now, writing nothing. The sweeps
 * themselves run on their timers, so without --dry-run there is nothing to do here.
 */
export async function sweep(argv: readonly string[], io: CliIo): Promise<unknown> {
  // The one flag without a value; every other option takes one (see parseArgs).
  const dryRun = argv.includes(DRY_RUN);
  const args = parseArgs(
    argv.filter((a) => a !== DRY_RUN),
    [...APP_OPTIONS, "kind"],
  );
  if (!dryRun || args.positional.length > 0) {
    throw new UsageError(
      "Use: sweep --dry-run [--kind review|cleanup], or sweep latest; the sweeps themselves run on their schedule.",
    );
  }
  return perKind(args, io, (kind) => ["POST", `/sweeps/dry-run?kind=${kind}`]);
}

/** sweep latest [--kind review|cleanup]: the report of the latest finished sweep of each kind (or of one). */
export async function sweepLatest(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "kind"]);
  if (args.positional.length > 0) throw new UsageError(`Unexpected argument "${args.positional[0]}".`);
  return perKind(args, io, (kind) => ["GET", `/sweeps/latest?kind=${kind}`]);
}

/** One call per kind asked for; the answers keyed by kind. */
async function perKind(
  args: ParsedArgs,
  io: CliIo,
  request: (kind: string) => [method: string, route: string],
): Promise<Record<string, unknown>> {
  const client = appClient(args, io);
  const reports: Record<string, unknown> = {};
  for (const kind of kindsOf(args.options.get("kind"))) reports[kind] = (await client.call(...request(kind))).body;
  return reports;
}
