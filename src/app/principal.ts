/**
 * Who is calling, as App Service authentication (Easy Auth) tells the app: it validates the Entra sign-in or bearer
 * token in front of the app and injects `X-MS-CLIENT-PRINCIPAL*` headers, which external requests cannot set (App
 * Service strips them; the devhost's stand-in does the same). Source:
 * https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
 */

/** The app roles declared on the app registration; Admin includes Approver, Approver includes Reader. */
export const APP_ROLES = ["Reader", "Approver", "Admin"] as const;
export type AppRole = (typeof APP_ROLES)[number];

export interface Principal {
  /** Stable id from the identity provider (Entra object id). */
  id: string;
  /** Human-readable name: a UPN or email address for Entra users. */
  name: string;
  identityProvider: string;
  /** App roles granted to the caller (only the known ones). */
  roles: AppRole[];
}

/** The decoded `X-MS-CLIENT-PRINCIPAL` payload. */
interface ClientPrincipalPayload {
  auth_typ?: unknown;
  claims?: unknown;
  name_typ?: unknown;
  role_typ?: unknown;
}

const ROLE_CLAIM_TYPES = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"];
const NAME_CLAIM_TYPES = ["preferred_username", "upn", "email", "name"];
const ID_CLAIM_TYPES = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];
const MAX_HEADER_CHARS = 16_384;

export interface HeaderReader {
  get(name: string): string | null;
}

/** The caller, or undefined when App Service authentication did not sign anyone in (or the headers are unusable). */
export function readPrincipal(headers: HeaderReader): Principal | undefined {
  const encoded = headers.get("x-ms-client-principal");
  const payload = encoded ? decodePayload(encoded) : undefined;
  const claims = payload ? claimsOf(payload) : [];
  const claim = (types: readonly string[]): string | undefined =>
    claims.find((c) => types.includes(c.typ.toLowerCase()) || types.includes(c.typ))?.val;

  const nameType = typeof payload?.name_typ === "string" ? payload.name_typ : undefined;
  const name = (headers.get("x-ms-client-principal-name") ?? claim(nameType ? [nameType] : NAME_CLAIM_TYPES))?.trim();
  const id = (headers.get("x-ms-client-principal-id") ?? claim(ID_CLAIM_TYPES))?.trim();
  if (!name || !id) return undefined;

  const roleType = typeof payload?.role_typ === "string" ? payload.role_typ : undefined;
  const roleTypes = roleType ? [roleType, ...ROLE_CLAIM_TYPES] : ROLE_CLAIM_TYPES;
  const roles = APP_ROLES.filter((role) => claims.some((c) => roleTypes.includes(c.typ) && c.val === role));
  return {
    id: id.slice(0, 256),
    name: name.slice(0, 256),
    identityProvider: (
      headers.get("x-ms-client-principal-idp") ?? (typeof payload?.auth_typ === "string" ? payload.auth_typ : "unknown")
    ).slice(0, 64),
    roles,
  };
}

/** True when the principal holds `role` or a role that includes it. */
export function hasRole(principal: Principal | undefined, role: AppRole): boolean {
  if (!principal) return false;
  const needed = APP_ROLES.indexOf(role);
  return principal.roles.some((r) => APP_ROLES.indexOf(r) >= needed);
}

/** Approvers are named by UPN or email; compare them as Entra does, case-insensitively. */
export function isSamePerson(principal: Principal, approver: string): boolean {
  return principal.name.toLowerCase() === approver.trim().toLowerCase();
}

function decodePayload(encoded: string): ClientPrincipalPayload | undefined {
  if (encoded.length > MAX_HEADER_CHARS) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function claimsOf(payload: ClientPrincipalPayload): { typ: string; val: string }[] {
  if (!Array.isArray(payload.claims)) return [];
  return (payload.claims as unknown[]).filter((c): c is { typ: string; val: string } => {
    const claim = c as { typ?: unknown; val?: unknown } | null;
    return (
      typeof claim === "object" && claim !== null && typeof claim.typ === "string" && typeof claim.val === "string"
    );
  });
}
