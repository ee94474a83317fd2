import { UsageError } from "./cli-errors";

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string>;
}

/** "--name value" and "--name=value"; every option takes a value. Unknown options are refused, not ignored. */
export function parseArgs(argv: readonly string[], allowed: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!allowed.includes(name)) throw new UsageError(`Unknown option --${name}.`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "") throw new UsageError(`Option --${name} needs a value.`);
    options.set(name, value);
  }
  return { positional, options };
}

export function required(args: ParsedArgs, name: string): string {
  const v = args.options.get(name);
  if (v === undefined) throw new UsageError(`Option --${name} is required.`);
  return v;
}
