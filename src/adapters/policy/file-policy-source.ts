import { readFile } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { parsePolicy, type Policy } from "../../domain/policy";
import { DomainError } from "../../domain/errors";
import { PermanentCodes, PermanentError } from "../../ports/errors";
import type { PolicySource } from "../../ports/policy-source.port";

/**
 * POLICY_SOURCE=file:<path>: the policy shipped with the app. Read on each load, so an edit applies at once; parsed
 * and compiled again only when the text changed (a decision per connection made that the costliest step of a sweep).
 */
export class FilePolicySource implements PolicySource {
  private readonly path: string;
  private last: { text: string; policy: Policy } | undefined;

  constructor(appRoot: string, relativePath: string) {
    const root = resolve(appRoot);
    this.path = resolve(root, relativePath);
    if (!this.path.startsWith(root + sep)) throw new Error("POLICY_SOURCE must stay inside the app root.");
  }

  async load(): Promise<Policy> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      throw new PermanentError(
        PermanentCodes.policyUnavailable,
        `The policy file ${this.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}); check POLICY_SOURCE and the package.`,
      );
    }
    if (this.last?.text === text) return this.last.policy;
    try {
      const policy = parsePolicy(text);
      this.last = { text, policy };
      return policy;
    } catch (error) {
      const why = error instanceof DomainError ? error.message : String(error);
      throw new PermanentError(PermanentCodes.policyUnavailable, `The policy file is not valid: ${why}`);
    }
  }
}
