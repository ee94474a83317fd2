import { DomainError } from "../../../src/domain/errors";

/** The DomainError fn throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a DomainError, but nothing was thrown");
}

/** The code of the DomainError fn throws, undefined if it throws nothing. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : "not a DomainError";
  }
  return undefined;
}

export async function asyncCodeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof DomainError ? e.code : "not a DomainError";
  }
  return undefined;
}
