import { afterEach, describe, expect, it, vi } from "vitest";
import { TimeoutCredential } from "../../../src/adapters/identity/timeout-credential";
import { TransientError } from "../../../src/ports/errors";

afterEach(() => {
  vi.useRealTimers();
});

describe("TimeoutCredential", () => {
  it("passes a token through", async () => {
    const cred = new TimeoutCredential({ getToken: async () => ({ token: "t", expiresOnTimestamp: 1 }) }, 1000);
    expect(await cred.getToken("scope")).toEqual({ token: "t", expiresOnTimestamp: 1 });
  });

  it("turns a credential that never answers into TOKEN_TIMEOUT (fake clock, no waiting)", async () => {
    vi.useFakeTimers();
    const cred = new TimeoutCredential({ getToken: () => new Promise(() => undefined) }, 10_000);
    const pending = cred.getToken("scope");
    const assertion = expect(pending).rejects.toMatchObject({ code: "TOKEN_TIMEOUT" });
    await vi.advanceTimersByTimeAsync(10_000);
    await assertion;
    await expect(pending).rejects.toBeInstanceOf(TransientError);
  });
});
