import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { appClient, APP_OPTIONS } from "../app-client";
import { parseArgs, required } from "../args";
import { readJson } from "../read-input";

const route = (id: string) => `/tenants/${encodeURIComponent(id)}`;

function oneId(positional: string[], usage: string): string {
  if (positional.length !== 1) throw new UsageError(`Give one tenant id: ${usage}.`);
  return positional[0]!;
}

/** tenants list */
export async function tenantsList(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, APP_OPTIONS);
  if (args.positional.length > 0) throw new UsageError(`Unexpected argument "${args.positional[0]}".`);
  return (await appClient(args, io).call("GET", "/tenants")).body;
}

/** tenants show <tenant-id>: the tenant, its change history and its ETag. */
export async function tenantsShow(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, APP_OPTIONS);
  const id = oneId(args.positional, "tenants show <tenant-id>");
  const answer = await appClient(args, io).call("GET", route(id));
  return { etag: answer.headers.get("etag"), ...(answer.body as object) };
}

/** tenants add --file <tenant.json>: creates the tenant the file describes (its tenantId names it). */
export async function tenantsAdd(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "file"]);
  if (args.positional.length > 0) throw new UsageError(`Unexpected argument "${args.positional[0]}".`);
  const tenant = await readJson(io, required(args, "file"), "tenant");
  const id = (tenant as { tenantId?: unknown } | null)?.tenantId;
  if (typeof id !== "string") throw new UsageError("The tenant file needs a tenantId.");
  return (await appClient(args, io).call("PUT", route(id), tenant)).body;
}

/**
 * tenants update <tenant-id> --file <changes.json> [--if-match <etag>]: changes the fields the file lists, over the
 * version named by --if-match (default: the version read just now, so a change made meanwhile is refused).
 */
export async function tenantsUpdate(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "file", "if-match"]);
  const id = oneId(args.positional, "tenants update <tenant-id> --file <changes.json>");
  const changes = await readJson(io, required(args, "file"), "changes");
  const client = appClient(args, io);
  const etag = args.options.get("if-match") ?? (await client.call("GET", route(id))).headers.get("etag") ?? "*";
  return (await client.call("PATCH", route(id), changes, { "if-match": etag })).body;
}

/** tenants offboard <tenant-id>: status offboarded; the clean-up then rejects the tenant's connections. */
export async function tenantsOffboard(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, [...APP_OPTIONS, "if-match"]);
  const id = oneId(args.positional, "tenants offboard <tenant-id>");
  const ifMatch = args.options.get("if-match");
  return (await appClient(args, io).call("DELETE", route(id), undefined, ifMatch ? { "if-match": ifMatch } : {})).body;
}
