import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { appClient, APP_OPTIONS, connectionKey } from "../app-client";
import { parseArgs, required } from "../args";

/** decide <connection-id|key> approve|reject --reason <text>: a person's decision on a waiting review. */
export async function decide(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "reason"]);
  const [connection, decision, extra] = args.positional;
  if (!connection || (decision !== "approve" && decision !== "reject") || extra !== undefined) {
    throw new UsageError("Use: decide <connection id or key> approve|reject --reason <why>.");
  }
  const reason = required(args, "reason");
  return (
    await appClient(args, io).call("POST", `/connections/${connectionKey(connection)}/decision`, { decision, reason })
  ).body;
}
