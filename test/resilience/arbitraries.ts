/** fast-check generators for hostile input: garbage, and real payloads bent out of shape. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";

const FIXTURES = path.resolve(__dirname, "..", "fixtures");

/** The real (and derived) Event Grid payloads the app is built against, parsed. */
export const REAL_EVENTS: unknown[] = readdirSync(path.join(FIXTURES, "events"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, "events", f), "utf8")) as unknown);

/** The connection-request fixtures (`policy explain --request`). */
export const REAL_REQUESTS: unknown[] = readdirSync(path.join(FIXTURES, "requests"))
  .filter((f) => f.endsWith(".request.json"))
  .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, "requests", f), "utf8")) as unknown);

/** JSON text nested `depth` levels deep, in arrays or objects. */
export function deepJson(depth: number, kind: "array" | "object" = "array"): string {
  return kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

const guid = fc.uuid();
const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/);

/** ARM-looking ids: real shapes with invented names, odd casing, and broken ones. */
export const armId: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(guid, name, name, fc.constantFrom("resourceGroups", "resourcegroups", "RESOURCEGROUPS"))
    .map(([s, rg, pe, rgs]) => `/subscriptions/${s}/${rgs}/${rg}/providers/Microsoft.Network/privateEndpoints/${pe}`),
  fc
    .tuple(guid, name, name, name)
    .map(
      ([s, rg, srv, c]) =>
        `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${srv}/privateEndpointConnections/${c}`,
    ),
  fc
    .tuple(guid, name, name)
    .map(([s, rg, x]) => `/subscriptions/${s}/resourceGroups/${rg}/providers/Invented.Type/${x}`),
  fc.string({ maxLength: 60 }),
  fc.constantFrom("", "/", "//", "/subscriptions/", "../../etc/passwd", "/subscriptions/%00", "\u0000", "\uFFFD"),
);

/** Strings that break naive code: huge, control characters, escapes, prototype keys. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("__proto__", "constructor", "prototype", "%s%n", "${x}", "\uD800", "NaN", "-0", "1e999"),
  fc.integer({ min: 10_000, max: 300_000 }).map((n) => "x".repeat(n)),
);

/** Any JSON-able value, small. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

/** A value in a wrong type, or an absent one. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  anyJson,
  nastyString,
  armId,
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}),
  fc.integer({ min: 60, max: 200 }).map((d) => JSON.parse(deepJson(d)) as unknown),
);

/** Every path (list of keys) into a JSON value. */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  }
  return out;
}

type Patch = { at: number; op: "set"; value: unknown } | { at: number; op: "delete" };

function applyPatch(root: unknown, patch: Patch): unknown {
  const all = paths(root);
  const target = all[patch.at % all.length]!;
  if (target.length === 0) return patch.op === "set" ? patch.value : {};
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of target.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = target.at(-1)!;
  if (patch.op === "delete") {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = patch.value;
  return copy;
}

const patch: fc.Arbitrary<Patch> = fc.oneof(
  fc.record({ at: fc.nat(), op: fc.constant("set" as const), value: wrongValue }),
  fc.record({ at: fc.nat(), op: fc.constant("delete" as const) }),
);

/** A real payload from `sources` with 1-4 random fields replaced by wrong values or removed. */
export function mutated(sources: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...sources), fc.array(patch, { minLength: 1, maxLength: 4 }))
    .map(([source, patches]) => patches.reduce(applyPatch, source));
}

/** Event Grid and CloudEvents envelopes with plausible types and invented resources. */
export const eventLike: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      id: fc.oneof(guid, nastyString),
      eventType: fc.constantFrom(
        "Microsoft.Resources.ResourceWriteSuccess",
        "Microsoft.Resources.ResourceDeleteSuccess",
        "Microsoft.ResourceNotifications.Resources.CreatedOrUpdated",
        "Microsoft.Resources.ResourceActionSuccess",
        "Invented.Event",
      ),
      subject: armId,
      topic: fc.oneof(armId, nastyString),
      eventTime: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        nastyString,
      ),
      dataVersion: fc.oneof(fc.constant(""), nastyString),
      data: fc.oneof(
        fc.record(
          {
            resourceUri: armId,
            operationName: fc.constantFrom(
              "Microsoft.Network/privateEndpoints/write",
              "Microsoft.Network/privateEndpoints/delete",
              "Microsoft.Network/privateLinkServices/privateEndpointConnections/write",
              "invented/op",
            ),
            subscriptionId: fc.oneof(
              guid,
              guid.map((g) => `${g}/`),
              nastyString,
            ),
            tenantId: fc.oneof(guid, nastyString),
            authorization: wrongValue,
            claims: wrongValue,
            httpRequest: fc.oneof(fc.constant({}), wrongValue),
            resourceInfo: wrongValue,
          },
          { requiredKeys: [] },
        ),
        wrongValue,
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      specversion: fc.oneof(fc.constant("1.0"), nastyString),
      id: fc.oneof(guid, nastyString),
      type: fc.constantFrom("Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Resources.ResourceDeleteSuccess"),
      source: fc.oneof(armId, nastyString),
      subject: armId,
      time: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        nastyString,
      ),
      data: wrongValue,
    },
    { requiredKeys: [] },
  ),
);

/** What a webhook body can be: garbage text, real events bent, invented events, batches, deep nesting. */
export const webhookBody: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
  { arbitrary: anyJson.map((v) => JSON.stringify(v)), weight: 1 },
  { arbitrary: mutated(REAL_EVENTS).map((v) => JSON.stringify(v)), weight: 4 },
  { arbitrary: eventLike.map((v) => JSON.stringify(v)), weight: 3 },
  { arbitrary: fc.array(eventLike, { minLength: 0, maxLength: 8 }).map((v) => JSON.stringify(v)), weight: 2 },
  {
    arbitrary: fc.integer({ min: 65, max: 6000 }).map((d) => `[{"id":"x","data":${deepJson(d, "object")}}]`),
    weight: 1,
  },
);

/** A string as one URL path segment: cut to `max`, lone surrogates made U+FFFD (encodeURIComponent throws on them). */
export function pathSegment(s: string, max = 2000): string {
  const wellFormed = s
    .slice(0, max)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  return encodeURIComponent(wellFormed);
}
