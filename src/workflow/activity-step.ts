import { DomainError } from "../domain/errors";
import { PermanentError } from "../ports/errors";
import type { StepResult } from "./contracts";

/** The actor of the audit entries the app writes on its own account. */
export const AUTOPILOT = "autopilot";

/** Permanent failures become values so the durable retry policy does not repeat them. */
export async function step<T>(work: () => Promise<T>): Promise<StepResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof PermanentError || error instanceof DomainError) {
      return { ok: false, code: error.code, message: error.message };
    }
    throw error;
  }
}
