import { randomBytes } from "node:crypto";

export interface IssuedToken {
  clientId: string;
  objectId: string;
  tenantId: string;
  resource: string;
  expiresOn: number;
}

/** Opaque random bearer tokens issued by the identity endpoint; ARM accepts only these. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(info: IssuedToken): string {
    const token = randomBytes(32).toString("base64url");
    this.tokens.set(token, info);
    return token;
  }

  lookup(token: string, nowSeconds: number): IssuedToken | undefined {
    const t = this.tokens.get(token);
    return t && t.expiresOn > nowSeconds ? t : undefined;
  }
}

/** ARM accepts tokens for either of its audience spellings. */
export function isArmAudience(resource: string): boolean {
  const r = resource
    .replace(/\/\.default$/, "")
    .replace(/\/$/, "")
    .toLowerCase();
  return r === "https://management.azure.com" || r === "https://management.core.windows.net";
}

/** ACS data-plane tokens: the SDK asks for https://communication.azure.com//.default. */
export function isCommunicationAudience(resource: string): boolean {
  return (
    resource
      .replace(/\/\.default$/, "")
      .replace(/\/+$/, "")
      .toLowerCase() === "https://communication.azure.com"
  );
}
