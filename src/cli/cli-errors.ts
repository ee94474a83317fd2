import { DomainError } from "../domain/errors";

/** Exit codes: 1 for input the domain refused, 2 for a command line that does not make sense. */
export const EXIT_OK = 0;
export const EXIT_INVALID_INPUT = 1;
export const EXIT_USAGE = 2;

export class UsageError extends DomainError {
  constructor(message: string) {
    super("USAGE", `${message} Run with --help to see the commands.`);
  }
}

/** One line: "error CODE: sentence". */
export function errorLine(err: unknown): string {
  const { code, message } =
    err instanceof DomainError
      ? err
      : {
          code: "INTERNAL",
          message: `Unexpected failure (${err instanceof Error ? err.message : String(err)}); report it with the command you ran.`,
        };
  return `error ${code}: ${message.replace(/\s*\n\s*/g, " ")}\n`;
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_INVALID_INPUT;
}
