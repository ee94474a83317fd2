import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { appClient, APP_OPTIONS, connectionKey } from "../app-client";
import { parseArgs } from "../args";

/** renew <connection-id|key> [--reason <text>]: a new period for a time-bound approval (Approver or Admin). */
export async function renew(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "reason"]);
  const [connection, extra] = args.positional;
  if (!connection || extra !== undefined) {
    throw new UsageError("Use: renew <connection id or key> [--reason <why>].");
  }
  const reason = args.options.get("reason");
  return (
    await appClient(args, io).call("POST", `/connections/${connectionKey(connection)}/renew`, reason ? { reason } : {})
  ).body;
}
