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
import { codeOf } from "./domain-error.helper";

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
