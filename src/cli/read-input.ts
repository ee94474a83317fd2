import { DomainError } from "../domain/errors";
import { MAX_INPUT_BYTES, type CliIo } from "./cli-io";

/** Reads a file (or "-" for stdin) with errors a user can act on. */
export async function readInput(io: CliIo, file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await io.readText(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT")
      throw new DomainError("FILE_NOT_FOUND", `The ${what} file "${file}" does not exist; check the path.`);
    if (code === "EISDIR") throw new DomainError("FILE_NOT_FOUND", `"${file}" is a folder; pass the ${what} file.`);
    if (code === "EFBIG")
      throw new DomainError("FILE_TOO_LARGE", `The ${what} is larger than ${MAX_INPUT_BYTES} bytes.`);
    throw new DomainError("FILE_UNREADABLE", `The ${what} file "${file}" cannot be read (${code ?? "unknown error"}).`);
  }
  if (text.length > MAX_INPUT_BYTES)
    throw new DomainError("FILE_TOO_LARGE", `The ${what} is larger than ${MAX_INPUT_BYTES} bytes.`);
  return text;
}

export async function readJson(io: CliIo, file: string, what: string): Promise<unknown> {
  const text = await readInput(io, file, what);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, "")) as unknown;
  } catch (e) {
    throw new DomainError(
      "JSON_INVALID",
      `The ${what} file "${file}" is not valid JSON (${(e as Error).message}); fix its syntax.`,
    );
  }
}
