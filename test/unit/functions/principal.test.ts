import { describe, expect, it } from "vitest";
import { hasRole, isSamePerson, readPrincipal, type Principal } from "../../../src/app/principal";

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), "utf8").toString("base64");
const headers = (values: Record<string, string>) => ({ get: (n: string) => values[n.toLowerCase()] ?? null });

// The shape App Service documents for X-MS-CLIENT-PRINCIPAL (configure-authentication-user-identities).
const entraPrincipal = {
  auth_typ: "aad",
  claims: [
    { typ: "name", val: "Ada Lovelace" },
    { typ: "preferred_username", val: "ada@contoso.example" },
    { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "oid-1" },
    { typ: "roles", val: "Approver" },
    { typ: "roles", val: "Owner" },
  ],
  name_typ: "preferred_username",
  role_typ: "roles",
};

describe("readPrincipal", () => {
  it("reads name, id, provider and the known app roles from the App Service headers", () => {
    const p = readPrincipal(
      headers({
        "x-ms-client-principal": encode(entraPrincipal),
        "x-ms-client-principal-name": "ada@contoso.example",
        "x-ms-client-principal-id": "oid-1",
        "x-ms-client-principal-idp": "aad",
      }),
    );
    expect(p).toEqual({ id: "oid-1", name: "ada@contoso.example", identityProvider: "aad", roles: ["Approver"] });
  });

  it("falls back to the claims when the name and id headers are absent", () => {
    const p = readPrincipal(headers({ "x-ms-client-principal": encode(entraPrincipal) }));
    expect(p?.name).toBe("ada@contoso.example");
    expect(p?.id).toBe("oid-1");
    expect(p?.identityProvider).toBe("aad");
  });

  it("honours role_typ when Entra maps roles to the long claim type", () => {
    const roleUri = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    const p = readPrincipal(
      headers({
        "x-ms-client-principal": encode({
          ...entraPrincipal,
          claims: [{ typ: roleUri, val: "Admin" }],
          role_typ: roleUri,
        }),
        "x-ms-client-principal-name": "a@b",
        "x-ms-client-principal-id": "1",
      }),
    );
    expect(p?.roles).toEqual(["Admin"]);
  });

  it("is undefined for anonymous callers and for unusable headers", () => {
    expect(readPrincipal(headers({}))).toBeUndefined();
    expect(readPrincipal(headers({ "x-ms-client-principal": "not base64 json" }))).toBeUndefined();
    expect(readPrincipal(headers({ "x-ms-client-principal": encode("a string") }))).toBeUndefined();
    expect(readPrincipal(headers({ "x-ms-client-principal": "x".repeat(20_000) }))).toBeUndefined();
    expect(
      readPrincipal(headers({ "x-ms-client-principal-name": "   ", "x-ms-client-principal-id": "1" })),
    ).toBeUndefined();
  });

  it("ignores malformed claims instead of failing", () => {
    const p = readPrincipal(
      headers({
        "x-ms-client-principal": encode({ claims: [null, 1, { typ: "roles" }, { typ: "roles", val: "Reader" }] }),
        "x-ms-client-principal-name": "r@b",
        "x-ms-client-principal-id": "2",
      }),
    );
    expect(p?.roles).toEqual(["Reader"]);
    expect(p?.identityProvider).toBe("unknown");
  });
});

describe("roles and people", () => {
  const who = (roles: Principal["roles"]): Principal => ({
    id: "1",
    name: "Ada@Contoso.example",
    identityProvider: "aad",
    roles,
  });

  it("Admin includes Approver includes Reader, and nothing includes more", () => {
    expect(hasRole(who(["Admin"]), "Approver")).toBe(true);
    expect(hasRole(who(["Approver"]), "Reader")).toBe(true);
    expect(hasRole(who(["Approver"]), "Admin")).toBe(false);
    expect(hasRole(who(["Reader"]), "Approver")).toBe(false);
    expect(hasRole(who([]), "Reader")).toBe(false);
    expect(hasRole(undefined, "Reader")).toBe(false);
  });

  it("matches an approver by UPN case-insensitively, and only exactly", () => {
    expect(isSamePerson(who([]), " ada@contoso.EXAMPLE ")).toBe(true);
    expect(isSamePerson(who([]), "ada@contoso.example.evil")).toBe(false);
  });
});
