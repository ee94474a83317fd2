const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/**
 * A GUID as we store and compare it: trimmed, lower-case, without the trailing "/" some Event Grid payloads carry.
 * Undefined when the value is not a GUID.
 */
export function normaliseGuid(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const g = value.trim().replace(/\/+$/, "").toLowerCase();
  return GUID.test(g) ? g : undefined;
}
