import { errorLine, exitCodeFor, EXIT_OK, EXIT_USAGE, UsageError } from "./cli-errors";
import { processIo, type CliIo } from "./cli-io";
import { eventsParse } from "./commands/events-parse.command";
import { policyCheck } from "./commands/policy-check.command";
import { policyExplain } from "./commands/policy-explain.command";
import { policySchema } from "./commands/policy-schema.command";
// `demo` (src/cli/demo.ts) prints its own timeline and exit code, so it bypasses the JSON printing below.
import { runDemo } from "./demo";

/** A command prints its result as JSON on stdout; throwing gives a one-line coded error on stderr. */
type Command = (argv: readonly string[], io: CliIo) => Promise<unknown>;

const COMMANDS: Record<string, Command> = {
  "events parse": eventsParse,
  "policy check": policyCheck,
  "policy explain": policyExplain,
  "policy schema": policySchema,
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
    // Own keys only: "__proto__" or "constructor" is an unknown command, not Object's.
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw new UsageError(`Unknown command "${name}".`);
    const result = await command(argv.slice(2), io);
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT_OK;
  } catch (err) {
    io.stderr(errorLine(err));
    return exitCodeFor(err);
  }
}
