import { describe, expect, it } from "vitest";
import {
  decodeKey,
  encodeKey,
  isPrivateEndpointConnectionId,
  isWithinScopes,
  normaliseArmId,
  parseArmId,
  sameArmId,
  tryParseArmId,
} from "../../../src/domain/arm-id";
import { codeOf, errorOf } from "./domain-error.helper";

const SUB = "1A45A694-AE23-4650-9774-89A571C462F6";
const PLS = `/subscriptions/${SUB}/resourcegroups/RG-Provider/providers/Microsoft.Network/privateLinkServices/pls-Orders`;
const CONN = `${PLS}/privateEndpointConnections/pe-orders.1b2c3d4e`;

describe("parseArmId", () => {
  it("parses a child resource with its parent, keeping the original casing for display", () => {
    const id = parseArmId(`  ${CONN}/ `);
    expect(id.id).toBe(CONN);
    expect(id.normalised).toBe(CONN.toLowerCase());
    expect(id.subscriptionId).toBe(SUB.toLowerCase());
    expect(id.resourceGroup).toBe("RG-Provider");
    expect(id.provider).toBe("Microsoft.Network");
    expect(id.type).toBe("Microsoft.Network/privateLinkServices/privateEndpointConnections");
    expect(id.name).toBe("pe-orders.1b2c3d4e");
    expect(id.parent?.id).toBe(PLS);
    expect(id.parent?.type).toBe("Microsoft.Network/privateLinkServices");
    expect(id.parent?.parent).toBeUndefined();
    expect(isPrivateEndpointConnectionId(id)).toBe(true);
    expect(isPrivateEndpointConnectionId(id.parent!)).toBe(false);
  });

  it("answers a text it parsed before with the same id, refuses a bad one every time, and keeps working past its memory", () => {
    expect(parseArmId(CONN)).toBe(parseArmId(CONN));
    const bad = `/subscriptions/not-a-guid/resourceGroups/rg`;
    expect(codeOf(() => parseArmId(bad))).toBe("ARM_ID_INVALID");
    expect(codeOf(() => parseArmId(bad))).toBe("ARM_ID_INVALID");
    // More distinct ids than it remembers: each still parses to its own name.
    for (let i = 0; i < 5_000; i++) expect(parseArmId(`${PLS}/privateEndpointConnections/c${i}`).name).toBe(`c${i}`);
    expect(parseArmId(CONN).name).toBe("pe-orders.1b2c3d4e");
  });

  it("treats resourcegroups/resourceGroups, case, double and trailing slashes as the same id", () => {
    const variants = [
      CONN,
      CONN.replace("resourcegroups", "resourceGroups"),
      CONN.toUpperCase().replace("SUBSCRIPTIONS", "subscriptions"),
      CONN.replace("/providers/", "//providers/") + "/",
    ];
    for (const v of variants) expect(sameArmId(v, CONN)).toBe(true);
    expect(sameArmId(CONN, PLS)).toBe(false);
    expect(sameArmId(CONN, "not an id")).toBe(false);
  });

  it("parses subscription and resource group ids", () => {
    expect(parseArmId(`/subscriptions/${SUB}`).type).toBe("Microsoft.Resources/subscriptions");
    const rg = parseArmId(`/subscriptions/${SUB}/resourceGroups/rg1`);
    expect(rg).toMatchObject({ resourceGroup: "rg1", type: "Microsoft.Resources/resourceGroups", name: "rg1" });
  });

  it("parses extension resources under a nested provider", () => {
    const id = parseArmId(`${PLS}/providers/Microsoft.Insights/diagnosticSettings/ds1`);
    expect(id.type).toBe("Microsoft.Insights/diagnosticSettings");
    expect(id.parent?.normalised).toBe(PLS.toLowerCase());
  });

  it.each([
    ["empty", ""],
    ["no leading slash", CONN.slice(1)],
    ["not a subscription guid", "/subscriptions/{subscription-id}/resourceGroups/rg"],
    ["type without a name", `${PLS}/privateEndpointConnections`],
    ["segment before providers", `/subscriptions/${SUB}/resourceGroups/rg/foo/bar`],
    ["bad namespace", `/subscriptions/${SUB}/providers/!!/x/y`],
    ["query string", `${PLS}?api-version=1`],
    ["control character", `${PLS}\u0000x`],
    ["too long", `${PLS}/${"a/b/".repeat(600)}`],
  ])("refuses %s with ARM_ID_INVALID and a hint", (_, text) => {
    expect(codeOf(() => parseArmId(text))).toBe("ARM_ID_INVALID");
    expect(tryParseArmId(text)).toBeUndefined();
  });

  it("says what to do in the message", () => {
    expect(() => parseArmId("nope")).toThrow(/Pass a full resource id/);
  });
});

describe("encodeKey / decodeKey", () => {
  it("encodes the normalised id into Table- and URL-safe text and back", () => {
    const key = encodeKey(CONN);
    expect(key).toMatch(/^[a-z0-9._~-]+$/);
    expect(key).not.toMatch(/[/\\#?]/);
    expect(encodeURIComponent(key)).toBe(key);
    expect(decodeKey(key)).toBe(normaliseArmId(CONN));
    expect(encodeKey(CONN.replace("resourcegroups", "resourceGroups") + "/")).toBe(key);
  });

  it("escapes underscores, tildes and non-ASCII so the mapping is one-to-one", () => {
    const odd = `/subscriptions/${SUB}/resourceGroups/rg_a~b/providers/Microsoft.Web/sites/café_1`;
    const key = encodeKey(odd);
    expect(key).toContain("rg~5Fa~7Eb");
    expect(decodeKey(key)).toBe(odd.toLowerCase());
  });

  it.each([
    ["empty", ""],
    ["slash", "_subscriptions/x"],
    ["lower-case escape", encodeKey(`/subscriptions/${SUB}/resourceGroups/rg_a`).replace("~5F", "~5f")],
    ["dangling escape", "_subscriptions~"],
    ["invalid utf-8", "_subscriptions_~FF"],
    ["not an id", "_hello_world"],
    ["upper-case letters", encodeKey(PLS).toUpperCase()],
  ])("refuses %s with KEY_INVALID", (_, key) => {
    expect(codeOf(() => decodeKey(key))).toBe("KEY_INVALID");
  });

  it("round-trips generated ids (property)", () => {
    const random = seeded(42);
    const alphabet = "abcXYZ019-_.()~é日 ";
    const word = () =>
      Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)])
        .join("")
        .trim() || "x";
    for (let i = 0; i < 500; i++) {
      const id = `/subscriptions/${SUB}/resourceGroups/${word()}/providers/Microsoft.Network/privateLinkServices/${word()}/privateEndpointConnections/${word()}`;
      const parsed = tryParseArmId(id);
      if (!parsed) continue;
      const key = encodeKey(id);
      expect(key).toMatch(/^[a-z0-9._~A-F-]+$/);
      expect(decodeKey(key)).toBe(parsed.normalised);
      expect(sameArmId(id, id.toUpperCase().replace("SUBSCRIPTIONS", "subscriptions"))).toBe(true);
    }
  });
});

/** Deterministic PRNG (mulberry32) so property tests replay identically. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("isWithinScopes", () => {
  const sub = "/subscriptions/00000000-0000-0000-0000-000000000001";
  const rg = `${sub}/resourceGroups/Provider-RG`;
  const pls = `${sub}/resourcegroups/provider-rg/providers/Microsoft.Network/privateLinkServices/orders`;

  it("matches the scope itself and what lies below it, whatever the casing or trailing slash", () => {
    expect(isWithinScopes(pls, [rg])).toBe(true);
    expect(isWithinScopes(`${pls}/`, [`${sub}/`])).toBe(true);
    expect(isWithinScopes(rg, [rg.toUpperCase()])).toBe(true);
  });

  it("refuses a sibling whose name only starts like the scope, and anything that is not an id", () => {
    expect(isWithinScopes(`${sub}/resourceGroups/Provider-RG-2/providers/a/b/c`, [rg])).toBe(false);
    expect(isWithinScopes("not an id", [rg])).toBe(false);
    expect(isWithinScopes(pls, ["garbage"])).toBe(false);
  });
});

describe("what parseArmId tells the caller to fix", () => {
  const G = SUB.toLowerCase();
  const reason = (text: unknown) => {
    try {
      parseArmId(text as string);
    } catch (e) {
      return (e as Error).message.split(" is not an Azure resource id: ")[1]?.split(". Pass a full")[0];
    }
    return "parsed";
  };

  it.each([
    [42, "it is not text"],
    ["subscriptions/x", 'it must start with "/subscriptions/"'],
    ["/subscriptions", 'it must start with "/subscriptions/<guid>"'],
    [`/tenants/${G}`, 'it must start with "/subscriptions/<guid>"'],
    ["/subscriptions/nope", '"nope" is not a subscription GUID'],
    [`/subscriptions/${G}/resourceGroups`, "the resource group name is missing"],
    [`/subscriptions/${G}/providers`, '"" is not a provider namespace'],
    [`/subscriptions/${G}/providers/Network`, '"Network" is not a provider namespace'],
    [`/subscriptions/${G}/providers/Microsoft.Network`, "it names a provider but no resource"],
    [`/subscriptions/${G}/resourceGroups/rg/sites/x`, '"sites" appears where "providers" was expected'],
    [`/subscriptions/${G}/providers/Microsoft.Web/sites`, 'the resource type "sites" has no name after it'],
    [`/subscriptions/${G}/providers/Microsoft.Web/sites/a#b`, 'segment "a#b" holds a character ids never contain'],
  ])("refuses %j: %s", (text, why) => {
    expect(reason(text)).toBe(why);
  });

  it("accepts ids up to 2,048 characters and shows at most 120 of a refused one", () => {
    const base = `/subscriptions/${G}/providers/Microsoft.Web/sites/`;
    expect(parseArmId(base + "a".repeat(2048 - base.length)).name).toHaveLength(2048 - base.length);
    const tooLong = base + "a".repeat(2049 - base.length);
    expect(reason(tooLong)).toBe("it is longer than 2048 characters");
    expect(errorOf(() => parseArmId(tooLong)).message).toContain(`"${tooLong.slice(0, 120)}…"`);
    const typeOnly = `/subscriptions/${G}/providers/Microsoft.Web/`;
    const short = typeOnly + "s".repeat(120 - typeOnly.length);
    expect(short).toHaveLength(120);
    expect(errorOf(() => parseArmId(short)).message).toContain(`"${short}" is not`);
  });

  it("leaves out what an id does not have", () => {
    const id = parseArmId(`/subscriptions/${G}/providers/Microsoft.Web/sites/app`);
    expect(Object.keys(id).sort()).toEqual(["id", "name", "normalised", "provider", "subscriptionId", "type"]);
    expect(id.type).toBe("Microsoft.Web/sites");
  });
});

describe("id predicates", () => {
  it("says a connection id only of a private endpoint connection under a resource", () => {
    const top = parseArmId(`/subscriptions/${SUB}/providers/Microsoft.Network/privateEndpointConnections/c`);
    expect(isPrivateEndpointConnectionId(top)).toBe(false);
    expect(isPrivateEndpointConnectionId(parseArmId(`${PLS}/privateEndpointConnectionsX/c`))).toBe(false);
    expect(isPrivateEndpointConnectionId({ id: "/x", normalised: "/x", subscriptionId: SUB })).toBe(false);
  });

  it("is false, not a crash, when either side of a comparison is not an id", () => {
    expect(sameArmId("not an id", CONN)).toBe(false);
    expect(sameArmId("not an id", "not an id")).toBe(false);
  });

  it("matches a resource within any one of several scopes", () => {
    const other = `/subscriptions/${SUB}/resourceGroups/other`;
    expect(isWithinScopes(CONN, [other, `/subscriptions/${SUB}/resourceGroups/rg-provider`])).toBe(true);
    expect(isWithinScopes(CONN, [other, "garbage"])).toBe(false);
  });
});

describe("what decodeKey tells the caller", () => {
  const why = (key: unknown) =>
    /\(([^)]*)\); use the key the API returned\.$/.exec(errorOf(() => decodeKey(key as string)).message)?.[1];

  it.each([
    ["", "it is empty"],
    [7, "it is empty"],
    ["_subscriptions_A", "unexpected character at position 15"],
    ["_subscriptions_~G0", "unexpected character at position 15"],
    ["_subscriptions_~FF", "it does not decode to text"],
    ["_subscriptions_x", "it does not decode to a canonical resource id"],
    ["x".repeat(3 * 2048 + 1), "it is too long"],
  ])("refuses %j: %s", (key, reason) => {
    expect(why(key)).toBe(reason);
  });

  it("takes the longest key a 2,048-character id can have", () => {
    // Each "日" is three UTF-8 bytes, nine key characters: 744 + 9 × 600 = 6,144 = 3 × 2,048.
    const prefix = `/subscriptions/${SUB.toLowerCase()}/providers/microsoft.web/sites/`;
    const id = prefix + "a".repeat(744 - prefix.length) + "日".repeat(600);
    const key = encodeKey(id);
    expect(key).toHaveLength(6144);
    expect(decodeKey(key)).toBe(id);
  });
});
