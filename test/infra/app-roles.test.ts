import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INFRA } from "./bicep-source";

interface AppRole {
  allowedMemberTypes: string[];
  description: string;
  displayName: string;
  id: string;
  isEnabled: boolean;
  value: string;
}

// `az ad app update --id <appId> --app-roles @infra/entra/app-roles.json` (docs/deployment.md, prerequisites).
const roles = JSON.parse(readFileSync(join(INFRA, "entra/app-roles.json"), "utf8")) as AppRole[];

describe("app roles of the API's app registration (infra/entra/app-roles.json)", () => {
  it("declares Reader, Approver and Admin for people and for automation", () => {
    expect(roles.map((r) => r.value)).toEqual(["Reader", "Approver", "Admin"]);
    for (const role of roles) {
      expect(role.isEnabled).toBe(true);
      expect(role.allowedMemberTypes.sort()).toEqual(["Application", "User"]);
      expect(role.description.length).toBeGreaterThan(20);
    }
  });

  it("keeps stable, distinct ids (changing one would orphan every assignment)", () => {
    const ids = roles.map((r) => r.id);
    expect(new Set(ids).size).toBe(roles.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
