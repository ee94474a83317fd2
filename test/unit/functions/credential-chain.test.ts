import * as identity from "@azure/identity";
import { describe, expect, it } from "vitest";
import { buildCredential, credentialKinds } from "../../../src/adapters/identity/credential-chain";

/** Stands in for @azure/identity: each credential remembers its kind and options; the chain its sources. */
function recordingIdentity() {
  const made = (kind: string) =>
    class {
      readonly kind = kind;
      readonly options: unknown[];
      constructor(...options: unknown[]) {
        this.options = options;
      }
      getToken = () => Promise.resolve(null);
    };
  return {
    ManagedIdentityCredential: made("managed-identity"),
    AzureCliCredential: made("azure-cli"),
    AzureDeveloperCliCredential: made("azure-developer-cli"),
    ChainedTokenCredential: made("chain"),
  } as unknown as typeof identity;
}

describe("credential choice", () => {
  it("on the Functions host (or the sandbox) uses only the managed identity, never a person's login", () => {
    expect(credentialKinds({ IDENTITY_ENDPOINT: "http://127.0.0.1:4000/token" })).toEqual(["managed-identity"]);
    expect(credentialKinds({ MSI_ENDPOINT: "http://127.0.0.1:4000/token" })).toEqual(["managed-identity"]);
  });

  it("on a laptop tries `az login`, then `azd auth login`, then the machine's managed identity", () => {
    expect(credentialKinds({})).toEqual(["azure-cli", "azure-developer-cli", "managed-identity"]);
    expect(credentialKinds({ IDENTITY_ENDPOINT: "" })).toEqual([
      "azure-cli",
      "azure-developer-cli",
      "managed-identity",
    ]);
  });

  it("gives the managed identity its client id, and the CLIs the tenant and the token time bound", () => {
    const sdk = recordingIdentity();
    const chain = buildCredential(sdk, ["azure-cli", "azure-developer-cli", "managed-identity"], {
      clientId: "11111111-2222-4333-8444-555555555555",
      tenantId: "tenant-1",
      timeoutMs: 5000,
    }) as unknown as { kind: string; options: { kind: string; options: unknown[] }[] };
    expect(chain.kind).toBe("chain");
    expect(chain.options.map((c) => [c.kind, c.options])).toEqual([
      ["azure-cli", [{ processTimeoutInMs: 5000, tenantId: "tenant-1" }]],
      ["azure-developer-cli", [{ processTimeoutInMs: 5000, tenantId: "tenant-1" }]],
      ["managed-identity", [{ clientId: "11111111-2222-4333-8444-555555555555" }]],
    ]);
  });

  it("builds one real credential alone and a real chain for several", () => {
    expect(buildCredential(identity, ["managed-identity"], { timeoutMs: 1000 })).toBeInstanceOf(
      identity.ManagedIdentityCredential,
    );
    const laptop = buildCredential(identity, credentialKinds({}), { timeoutMs: 1000 });
    expect(laptop).toBeInstanceOf(identity.ChainedTokenCredential);
    const system = buildCredential(recordingIdentity(), ["managed-identity"], { timeoutMs: 1 }) as unknown as {
      options: unknown[];
    };
    expect(system.options).toEqual([]); // system-assigned: no client id
  });
});
