import { errorLine, exitCodeFor, EXIT_OK, EXIT_USAGE, UsageError } from "./cli-errors";
import { processIo, type CliIo } from "./cli-io";
import { eventsParse } from "./commands/events-parse.command";
import { policyCheck } from "./commands/policy-check.command";
import { policyExplain } from "./commands/policy-explain.command";
import { policySchema } from "./commands/policy-schema.command";
import { policyWhatIf } from "./commands/policy-what-if.command";
import { decide } from "./commands/decide.command";
import { renew } from "./commands/renew.command";
import { sweep, sweepLatest } from "./commands/sweep.command";
import { tenantsAdd, tenantsList, tenantsOffboard, tenantsShow, tenantsUpdate } from "./commands/tenants.command";
// `demo` (src/cli/demo.ts) prints its own timeline and exit code, so it bypasses the JSON printing below.
import { runDemo } from "./demo";

/** A command prints its result as JSON on stdout; throwing gives a one-line coded error on stderr. */
type Command = (argv: readonly string[], io: CliIo) => Promise<unknown>;

const COMMANDS: Record<string, Command> = {
  "events parse": eventsParse,
  "policy check": policyCheck,
  "policy explain": policyExplain,
  "policy schema": policySchema,
  "policy what-if": policyWhatIf,
  "tenants list": tenantsList,
  "tenants show": tenantsShow,
  "tenants add": tenantsAdd,
  "tenants update": tenantsUpdate,
  "tenants offboard": tenantsOffboard,
  decide,
  renew,
  "sweep latest": sweepLatest,
  sweep,
};

export const HELP = `privatelink-autopilot <command>

Commands:
  events parse <file|-> [--self <principal-id,...>]
      The intake signals an Event Grid payload (one event or an array; Event Grid or CloudEvents schema) yields.
      --self lists our managed identity's object/app ids, so echoes of our own writes are marked.
  policy check <policy-file>
      Validates a YAML or JSON policy against policy/policy.schema.json; prints its version and rules.
  policy explain --policy <file> --request <file> [--tenants <file>] [--now <iso-time>]
      Dry run: the decision and rule trace for a ConnectionRequest JSON, or for each request an Event Grid payload
      carries. --tenants: JSON array of tenant records. --now: evaluation time (default: now).
  policy schema
      Prints the policy JSON Schema.

Against a running app (--url or AUTOPILOT_URL, default http://127.0.0.1:7071; credential: --token or
AUTOPILOT_TOKEN = an Entra access token for the app, --cookie or AUTOPILOT_COOKIE = a local devhost session,
--key or AUTOPILOT_KEY = a function key):
  tenants list | tenants show <id>
      Tenants (Reader); show adds the ETag and who changed what.
  tenants add --file <tenant.json> | tenants update <id> --file <changes.json> [--if-match <etag>]
  tenants offboard <id> [--if-match <etag>]
      Create, change (over the version read, so a change made meanwhile is refused) or offboard (Admin).
  decide <connection id or key> approve|reject --reason <text>
      A decision on a review waiting for you (Approver, and one of the review's approvers).
  renew <connection id or key> [--reason <text>]
      Renews a time-bound approval (a rule's validFor) for another period from now (Approver or Admin).
  policy what-if --policy <file> [--page-size N]
      The connections whose verdict a proposed policy would change, read from Azure now (Admin).
  sweep --dry-run [--kind review|cleanup]
      What the sweep and the clean-up would do now (reviews they would start, drift, clean-ups), writing nothing.
  sweep latest [--kind review|cleanup]
      The report of the latest sweep: resources, connections, started, already running, drift, errors, ARM calls.
  demo
      Drives a scripted scenario against a running \`npm start\` and prints a timeline.

Output is JSON on stdout. Bad input exits non-zero with one line on stderr: "error CODE: what to do".
`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
      io.stdout(HELP);
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    if (argv[0] === "demo") return await runDemo(argv.slice(1), io);
    const name = argv.slice(0, 2).join(" ");
    // Own keys only ("__proto__" is an unknown command). Most commands are two words ("tenants list"); a one-word command ("decide") takes the rest as arguments.
    const known = (n: string): Command | undefined => (Object.hasOwn(COMMANDS, n) ? COMMANDS[n] : undefined);
    const [command, rest] = known(name) ? [known(name), argv.slice(2)] : [known(argv[0]!), argv.slice(1)];
    if (!command) throw new UsageError(`Unknown command "${name}".`);
    const result = await command(rest, io);
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  } catch (err) {
    io.stderr(errorLine(err));
    return exitCodeFor(err);
  }
}
