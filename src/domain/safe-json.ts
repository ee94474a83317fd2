// Safe reads from untrusted JSON: own properties only (never the prototype chain), keys matched case-insensitively
// because real Azure payloads mix "authorization"/"Authorization", and bounded work on hostile input.

export type JsonObject = Record<string, unknown>;

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The value under `key` (exact first, then case-insensitive), own properties only. */
export function field(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  if (has(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** Follows a path of keys with `field`. */
export function path(obj: unknown, ...keys: string[]): unknown {
  let cur = obj;
  for (const k of keys) cur = field(cur, k);
  return cur;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A non-empty trimmed string, or undefined. */
export function text(value: unknown): string | undefined {
  const s = str(value)?.trim();
  return s ? s : undefined;
}

/** Copies a string→string map, dropping prototype-polluting keys and non-string values, at most `max` entries. */
export function stringMap(value: unknown, max = 64): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (FORBIDDEN_KEYS.has(k) || typeof v !== "string") continue;
    if (n++ >= max) break;
    out[k] = v;
  }
  return out;
}
