import type { TokenCredential } from "@azure/identity";

export type CredentialKind = "managed-identity" | "azure-cli" | "azure-developer-cli";

/**
 * Which credentials to try, in order. The Functions host (and the local sandbox) announce a managed identity with
 * IDENTITY_ENDPOINT (MSI_ENDPOINT on older hosts): then only the managed identity, so a server never acts as a
 * person. Anywhere else it is a laptop or a VM: a developer's `az login`, then `azd auth login`, then the
 * managed identity of the machine (IMDS).
 */
export function credentialKinds(env: Readonly<Record<string, string | undefined>>): CredentialKind[] {
  if (env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT) return ["managed-identity"];
  return ["azure-cli", "azure-developer-cli", "managed-identity"];
}

export interface CredentialOptions {
  /** AZURE_CLIENT_ID: the user-assigned managed identity. */
  clientId?: string | undefined;
  /** AZURE_TENANT_ID: the tenant a developer's CLI login asks a token from. */
  tenantId?: string | undefined;
  /** TOKEN_TIMEOUT_MS, also the bound on each CLI process. */
  timeoutMs: number;
}

type IdentityModule = Pick<
  typeof import("@azure/identity"),
  "ManagedIdentityCredential" | "AzureCliCredential" | "AzureDeveloperCliCredential" | "ChainedTokenCredential"
>;

/** Builds the credentials `kinds` names from the identity SDK the caller loaded (lazily, for cold start). */
export function buildCredential(
  identity: IdentityModule,
  kinds: readonly CredentialKind[],
  options: CredentialOptions,
): TokenCredential {
  const cli = { processTimeoutInMs: options.timeoutMs, ...(options.tenantId ? { tenantId: options.tenantId } : {}) };
  const made = kinds.map((kind): TokenCredential => {
    switch (kind) {
      case "managed-identity":
        return options.clientId
          ? new identity.ManagedIdentityCredential({ clientId: options.clientId })
          : new identity.ManagedIdentityCredential();
      case "azure-cli":
        return new identity.AzureCliCredential(cli);
      case "azure-developer-cli":
        return new identity.AzureDeveloperCliCredential(cli);
    }
  });
  return made.length === 1 ? made[0]! : new identity.ChainedTokenCredential(...made);
}
