import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEventGridPayload } from "../../../src/domain/intake";

const SELF = "9d2b7c1e-4a3f-4b8e-8c5d-6e7f8a9b0c1d";
const OBJECT_ID = "http://schemas.microsoft.com/identity/claims/objectidentifier";

/** The operator's connection write (not ours), with `change` applied to its claims and authorization. */
function operatorWrite(
  change: (data: { claims: Record<string, unknown>; authorization: Record<string, unknown> }) => void,
) {
  const file = path.resolve(__dirname, "../../fixtures/events/derived-pls-connection-write-operator.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as unknown;
  const event = (Array.isArray(raw) ? raw[0] : raw) as { data: Parameters<typeof change>[0] };
  change(event.data);
  return event;
}

function initiatedBySelf(event: unknown, selfPrincipalIds: string[] = [SELF]): boolean {
  const [signal] = parseEventGridPayload(event, { selfPrincipalIds });
  if (signal?.kind !== "connection-written") throw new Error(`expected connection-written, got ${signal?.kind}`);
  return signal.initiatedBySelf;
}

describe("the echo of our own write: which claims say it was us", () => {
  it("is not ours when no caller id is ours", () => {
    expect(initiatedBySelf(operatorWrite(() => undefined))).toBe(false);
  });

  it.each([
    ["the object id claim", (d: { claims: Record<string, unknown> }) => (d.claims[OBJECT_ID] = SELF)],
    ["oid", (d: { claims: Record<string, unknown> }) => (d.claims.oid = SELF)],
    ["appid", (d: { claims: Record<string, unknown> }) => (d.claims.appid = SELF)],
    ["azp", (d: { claims: Record<string, unknown> }) => (d.claims.azp = SELF)],
    [
      "the RBAC evidence's principal id",
      (d: { authorization: Record<string, unknown> }) => (d.authorization.evidence = { principalId: SELF }),
    ],
  ])("is ours when %s alone names our identity, whatever its case", (_, put) => {
    const event = operatorWrite((d) => void put(d));
    expect(initiatedBySelf(event)).toBe(true);
    expect(initiatedBySelf(event, [` ${SELF.toUpperCase()} `])).toBe(true);
    expect(initiatedBySelf(event, ["00000000-0000-0000-0000-000000000001"])).toBe(false);
  });

  it("is ours when the claim is upper case and the setting lower case", () => {
    expect(initiatedBySelf(operatorWrite((d) => (d.claims.oid = SELF.toUpperCase())))).toBe(true);
  });

  it("an empty or blank setting never matches an empty claim", () => {
    const blank = operatorWrite((d) => {
      d.claims.oid = "";
      d.claims.appid = " ";
    });
    expect(initiatedBySelf(blank, ["", " "])).toBe(false);
  });

  it("a claim that is not text is no evidence", () => {
    expect(initiatedBySelf(operatorWrite((d) => (d.claims.oid = { id: SELF })))).toBe(false);
    expect(initiatedBySelf(operatorWrite((d) => (d.claims.oid = [SELF])))).toBe(false);
  });
});
