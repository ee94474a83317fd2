import type { Policy } from "../domain/policy";
import type { PolicySource } from "./policy-source.port";

/** A fixed policy, or a scripted failure: the unit-test stand-in for POLICY_SOURCE. */
export class StaticPolicySource implements PolicySource {
  constructor(
    public policy: Policy | undefined,
    public failure?: Error,
  ) {}
  async load(): Promise<Policy> {
    if (this.failure) throw this.failure;
    if (!this.policy) throw new Error("No policy configured.");
    return this.policy;
  }
}
