import { DomainError } from "./errors";

// Approval links carry a signed, expiring token: HMAC-SHA256 (Web Crypto, so the domain stays free of node:crypto)
// over the base64url claims. Format: "<claims>.<signature>", both base64url without padding.

export type ApprovalDecision = "approve" | "reject";

export interface ApprovalClaims {
  /** The review (orchestration instance) the token belongs to. */
  instanceId: string;
  connectionId: string;
  decisions: ApprovalDecision[];
  approver?: string;
  /** ISO time after which the token is refused. */
  expiresAt: string;
  /** Single use is enforced by bookkeeping on this value. */
  nonce: string;
}

export const MIN_TOKEN_KEY_BYTES = 32;
const MAX_TOKEN_CHARS = 8192;
const DECISIONS: readonly string[] = ["approve", "reject"];

export async function createApprovalToken(claims: ApprovalClaims, key: Uint8Array): Promise<string> {
  const problem = claimsProblem(claims);
  if (problem) throw new DomainError("TOKEN_CLAIMS_INVALID", `Cannot sign approval claims: ${problem}.`);
  const body: ApprovalClaims = {
    instanceId: claims.instanceId,
    connectionId: claims.connectionId,
    decisions: [...claims.decisions],
    ...(claims.approver !== undefined ? { approver: claims.approver } : {}),
    expiresAt: claims.expiresAt,
    nonce: claims.nonce,
  };
  const payload = toBase64Url(new TextEncoder().encode(JSON.stringify(body)));
  return `${payload}.${toBase64Url(await sign(key, payload))}`;
}

/**
 * Returns the claims of a genuine, unexpired token; DomainError TOKEN_MALFORMED, TOKEN_TAMPERED or TOKEN_EXPIRED
 * otherwise. Several keys: the current one first, then previous ones still honoured after a rotation.
 */
export async function verifyApprovalToken(
  token: string,
  keys: Uint8Array | readonly Uint8Array[],
  now: string,
): Promise<ApprovalClaims> {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new DomainError("NOW_INVALID", `"${now}" is not an ISO-8601 time.`);
  const malformed = new DomainError(
    "TOKEN_MALFORMED",
    "The approval link is incomplete or damaged; open the link from the message again, without changing it.",
  );
  if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) throw malformed;
  const parts = token.split(".");
  if (parts.length !== 2) throw malformed;
  const [payload, signature] = parts as [string, string];
  const given = fromBase64Url(signature);
  const body = fromBase64Url(payload);
  if (!given || !body || given.length !== 32) throw malformed;
  let genuine = false;
  for (const key of keys instanceof Uint8Array ? [keys] : keys) {
    if (constantTimeEqual(given, await sign(key, payload))) genuine = true;
  }
  if (!genuine) {
    throw new DomainError(
      "TOKEN_TAMPERED",
      "The approval link's signature does not match; use the link exactly as it was sent, or ask for a new one.",
    );
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw malformed;
  }
  if (claimsProblem(claims)) throw malformed;
  const valid = claims as ApprovalClaims;
  if (nowMs >= Date.parse(valid.expiresAt)) {
    throw new DomainError(
      "TOKEN_EXPIRED",
      "The approval link has expired; decide from the connection's page or ask for a new link.",
    );
  }
  return valid;
}

function claimsProblem(c: unknown): string | undefined {
  if (typeof c !== "object" || c === null) return "claims must be an object";
  const o = c as Record<string, unknown>;
  for (const k of ["instanceId", "connectionId", "expiresAt", "nonce"]) {
    if (typeof o[k] !== "string" || o[k].length === 0) return `${k} must be a non-empty string`;
  }
  if (Number.isNaN(Date.parse(o.expiresAt as string))) return "expiresAt must be an ISO-8601 time";
  const d = o.decisions;
  if (!Array.isArray(d) || d.length === 0 || !d.every((x) => typeof x === "string" && DECISIONS.includes(x))) {
    return 'decisions must list "approve" and/or "reject"';
  }
  if (o.approver !== undefined && typeof o.approver !== "string") return "approver must be a string";
  return undefined;
}

async function sign(key: Uint8Array, payload: string): Promise<Uint8Array> {
  if (!(key instanceof Uint8Array) || key.length < MIN_TOKEN_KEY_BYTES) {
    throw new DomainError(
      "TOKEN_KEY_INVALID",
      `The approval signing key must be at least ${MIN_TOKEN_KEY_BYTES} random bytes; configure a longer key.`,
    );
  }
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, new TextEncoder().encode(payload)));
}

/** Compares every byte whatever differs first, so timing tells nothing about the expected signature. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function toBase64Url(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += ALPHABET[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

/** Strict base64url (no padding, canonical trailing bits); undefined when the text is not one. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    acc = (acc << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  if (acc !== 0) return undefined; // non-zero leftover bits: a second spelling of the same bytes
  return new Uint8Array(bytes);
}
