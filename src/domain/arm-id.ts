import { DomainError } from "./errors";
import { isGuid } from "./guid";

/** A parsed Azure Resource Manager resource id. */
export interface ArmId {
  /** Original text, trimmed, trailing "/" removed, original casing (for display). */
  readonly id: string;
  /** Canonical form for comparison and keys: lower-case, single slashes, no trailing slash. */
  readonly normalised: string;
  /** Lower-case GUID. */
  readonly subscriptionId: string;
  /** Original casing. */
  readonly resourceGroup?: string;
  /** Resource provider namespace, e.g. "Microsoft.Network". */
  readonly provider?: string;
  /** Full type, e.g. "Microsoft.Network/privateLinkServices/privateEndpointConnections". */
  readonly type?: string;
  /** Last segment name. */
  readonly name?: string;
  /** For a child resource, the parent resource id. */
  readonly parent?: ArmId;
}

/** Longer than any real ARM id; bounds work on hostile input. */
export const MAX_ARM_ID_LENGTH = 2048;

// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_SEGMENT = /[\u0000-\u001f\u007f?#\\]/;
const NAMESPACE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/;
const HINT =
  "Pass a full resource id such as /subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>.";

function invalid(text: string, why: string): DomainError {
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return new DomainError("ARM_ID_INVALID", `"${shown}" is not an Azure resource id: ${why}. ${HINT}`);
}

/**
 * Ids parsed lately, by their text: a review parses the same few ids dozens of times (keys, comparisons, replays).
 * Parsed ids are read-only, so sharing one is safe; the memory is bounded by starting over when full.
 */
const remembered = new Map<string, ArmId>();
const MAX_REMEMBERED = 4_096;

/** Parses an ARM id; throws DomainError("ARM_ID_INVALID") with what to fix. */
export function parseArmId(text: string): ArmId {
  if (typeof text !== "string") throw invalid(String(text), "it is not text");
  const known = remembered.get(text);
  if (known) return known;
  if (text.length > MAX_ARM_ID_LENGTH) throw invalid(text, `it is longer than ${MAX_ARM_ID_LENGTH} characters`);
  const trimmed = text.trim();
  if (!trimmed.startsWith("/")) throw invalid(trimmed, 'it must start with "/subscriptions/"');
  const segments = trimmed.split("/").filter((s) => s.length > 0);
  for (const s of segments) {
    if (FORBIDDEN_IN_SEGMENT.test(s)) throw invalid(trimmed, `segment "${s}" holds a character ids never contain`);
  }
  const id = build(segments);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(text, id);
  return id;
}

export function tryParseArmId(text: string): ArmId | undefined {
  try {
    return parseArmId(text);
    // Stryker disable next-line BlockStatement: an empty catch returns undefined too
  } catch {
    return undefined;
  }
}

/** The canonical comparison form of an id; throws ARM_ID_INVALID. */
export function normaliseArmId(text: string): string {
  return parseArmId(text).normalised;
}

/** Case-insensitive, slash-tolerant id equality; false when either is not an id. */
export function sameArmId(a: string, b: string): boolean {
  const x = tryParseArmId(a);
  const y = tryParseArmId(b);
  return x !== undefined && y !== undefined && x.normalised === y.normalised;
}

/** Whether the resource is one of the scopes (subscription, resource group or resource ids) or lies below one. */
export function isWithinScopes(resourceId: string, scopes: readonly string[]): boolean {
  const resource = tryParseArmId(resourceId)?.normalised;
  if (resource === undefined) return false;
  return scopes.some((scope) => {
    const s = tryParseArmId(scope)?.normalised;
    // Stryker disable next-line ConditionalExpression: without the guard "undefined/" still never prefixes an id
    return s !== undefined && (resource === s || resource.startsWith(`${s}/`));
  });
}

export function isPrivateEndpointConnectionId(id: ArmId): boolean {
  return id.type?.toLowerCase().endsWith("/privateendpointconnections") === true && id.parent !== undefined;
}

function build(segments: string[]): ArmId {
  const text = "/" + segments.join("/");
  if (segments[0]?.toLowerCase() !== "subscriptions" || segments.length < 2) {
    throw invalid(text, 'it must start with "/subscriptions/<guid>"');
  }
  const sub = segments[1]!;
  if (!isGuid(sub)) throw invalid(text, `"${sub}" is not a subscription GUID`);
  const subscriptionId = sub.toLowerCase();
  let i = 2;
  let resourceGroup: string | undefined;
  if (segments[i]?.toLowerCase() === "resourcegroups") {
    resourceGroup = segments[i + 1];
    if (resourceGroup === undefined) throw invalid(text, "the resource group name is missing");
    i += 2;
  }
  const base = { id: text, normalised: text.toLowerCase(), subscriptionId };
  if (i === segments.length) {
    return resourceGroup === undefined
      ? { ...base, type: "Microsoft.Resources/subscriptions", name: subscriptionId }
      : { ...base, resourceGroup, type: "Microsoft.Resources/resourceGroups", name: resourceGroup };
  }
  // Walk "providers/<ns>/<type>/<name>[/<childType>/<childName>]…", allowing nested extension providers.
  let provider: string | undefined;
  // Stryker disable next-line ArrayDeclaration: reset at "providers", which must come before any type
  let typeParts: string[] = [];
  let lastResourceEnd = -1;
  // Stryker disable next-line UnaryOperator: assigned before it is read whenever a resource exists
  let parentEnd = -1;
  while (i < segments.length) {
    const key = segments[i]!;
    if (key.toLowerCase() === "providers") {
      const ns = segments[i + 1];
      if (ns === undefined || !NAMESPACE.test(ns)) throw invalid(text, `"${ns ?? ""}" is not a provider namespace`);
      provider = ns;
      typeParts = [ns];
      i += 2;
      continue;
    }
    if (provider === undefined) throw invalid(text, `"${key}" appears where "providers" was expected`);
    const name = segments[i + 1];
    if (name === undefined) throw invalid(text, `the resource type "${key}" has no name after it`);
    typeParts.push(key);
    parentEnd = lastResourceEnd;
    lastResourceEnd = i + 2;
    i += 2;
  }
  if (lastResourceEnd < 0 || provider === undefined) throw invalid(text, "it names a provider but no resource");
  const result: ArmId = {
    ...base,
    resourceGroup,
    provider,
    type: typeParts.join("/"),
    name: segments[segments.length - 1],
    // Stryker disable next-line EqualityOperator: a parent ends after "subscriptions/<guid>/providers/<ns>/<type>/<name>", never at 0
    parent: parentEnd > 0 ? build(segments.slice(0, parentEnd)) : undefined,
  };
  return stripUndefined(result);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

// Table keys forbid / \ # ? and control characters; URLs want unreserved characters only. Keep [a-z0-9.-],
// write "/" as "_", and every other byte of the UTF-8 form as "~XX" (upper-case hex) so the encoding is one-to-one.
const KEEP = /[a-z0-9.-]/;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Reversible, url-safe and Azure-Table-key-safe form of the NORMALISED id; throws ARM_ID_INVALID. */
export function encodeKey(armId: string): string {
  const normalised = normaliseArmId(armId);
  let out = "";
  for (const ch of normalised) {
    if (ch === "/") out += "_";
    else if (KEEP.test(ch)) out += ch;
    // Stryker disable next-line StringLiteral: every byte escaped is 0x20 or more (control characters are refused), so two hex digits
    else for (const b of encoder.encode(ch)) out += "~" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Inverse of encodeKey; returns the normalised id or throws DomainError("KEY_INVALID"). */
export function decodeKey(key: string): string {
  const bad = (why: string) =>
    new DomainError("KEY_INVALID", `The key is not a connection key (${why}); use the key the API returned.`);
  if (typeof key !== "string" || key.length === 0) throw bad("it is empty");
  if (key.length > MAX_ARM_ID_LENGTH * 3) throw bad("it is too long");
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    if (ch === "_") bytes.push(0x2f);
    else if (KEEP.test(ch)) bytes.push(ch.charCodeAt(0));
    // Stryker disable next-line Regex: the slice holds at most two characters, so the anchors change nothing
    else if (ch === "~" && /^[0-9A-F]{2}$/.test(key.slice(i + 1, i + 3))) {
      bytes.push(parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw bad(`unexpected character at position ${i}`);
  }
  let text: string;
  try {
    text = decoder.decode(new Uint8Array(bytes));
  } catch {
    throw bad("it does not decode to text");
  }
  const parsed = tryParseArmId(text);
  // Only the canonical encoding is accepted, so one id has exactly one key.
  if (!parsed || encodeKey(parsed.normalised) !== key) throw bad("it does not decode to a canonical resource id");
  return parsed.normalised;
}
