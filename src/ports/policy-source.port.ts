import type { Policy } from "../domain/policy";

/** Loads the policy in force (POLICY_SOURCE). Throws PermanentError POLICY_UNAVAILABLE when it cannot be read or parsed. */
export interface PolicySource {
  load(): Promise<Policy>;
}
