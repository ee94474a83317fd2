import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { TransientError } from "../../ports/errors";

/**
 * Bounds token acquisition (TOKEN_TIMEOUT_MS): ManagedIdentityCredential can hang for minutes on an endpoint that
 * accepts the connection and never answers, ignoring abort signals, and a CLI login can stall the same way. A
 * timeout becomes a TransientError.
 */
export class TimeoutCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly timeoutMs: number,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TransientError(
              "TOKEN_TIMEOUT",
              `No token came within ${this.timeoutMs} ms; check the managed identity endpoint or your az login (or raise TOKEN_TIMEOUT_MS).`,
            ),
          ),
        this.timeoutMs,
      );
      timer.unref?.();
    });
    try {
      return await Promise.race([this.inner.getToken(scopes, options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
