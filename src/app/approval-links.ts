import { createHmac, timingSafeEqual } from "node:crypto";
import { createApprovalToken, verifyApprovalToken, type ApprovalClaims } from "../domain/approval-token";
import type { ApprovalLinks } from "../ports/notifier.port";

/** APPROVAL_SIGNING_KEY as bytes: base64 of at least 32 random bytes (Key Vault's usual form), else the text itself. */
export function signingKeyBytes(text: string): Uint8Array {
  const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : Buffer.alloc(0);
  return new Uint8Array(decoded.length >= 32 ? decoded : Buffer.from(text, "utf8"));
}

/**
 * Signs approval links with the current key and accepts the current and the previous key, so a rotation
 * (APPROVAL_SIGNING_KEY → APPROVAL_SIGNING_KEY_PREVIOUS) breaks no link still valid.
 */
export class ApprovalKeyRing implements ApprovalLinks {
  private readonly keys: Uint8Array[];

  constructor(
    current: string | undefined,
    previous: string | undefined,
    /** Where the approval page lives, e.g. https://app.example.net/api/approvals. */
    private readonly baseUrl: string | undefined,
  ) {
    this.keys = [current, previous].filter((k): k is string => k !== undefined).map(signingKeyBytes);
  }

  get configured(): boolean {
    return this.keys.length > 0 && this.baseUrl !== undefined;
  }

  async linkFor(input: {
    instanceId: string;
    connectionId: string;
    approver: string;
    expiresAt: string;
    nonce: string;
  }): Promise<string | undefined> {
    const key = this.keys[0];
    if (!key || !this.baseUrl) return undefined;
    const token = await createApprovalToken({ ...input, decisions: ["approve", "reject"] }, key);
    return `${this.baseUrl}/${token}`;
  }

  /** The claims of a genuine, unexpired token; throws DomainError TOKEN_* otherwise. */
  verify(token: string, now: string): Promise<ApprovalClaims> {
    return verifyApprovalToken(token, this.keys, now);
  }

  /** The form token that binds a POST to this link and this signed-in person (a cross-site form cannot know it). */
  formToken(nonce: string, principalId: string): string {
    return createHmac("sha256", this.keys[0] ?? Buffer.alloc(32))
      .update(`form|${nonce}|${principalId}`)
      .digest("base64url");
  }

  formTokenMatches(given: string, nonce: string, principalId: string): boolean {
    const expected = Buffer.from(this.formToken(nonce, principalId));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
