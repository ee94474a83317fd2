import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ARM_ACTIONS_USED } from "../../src/adapters/arm/operations";
import { INFRA, loadInfra, loadedJsonPaths, type BicepFile } from "./bicep-source";

interface RoleData {
  roleName: string;
  description: string;
  actions: string[];
}

const readRole = (name: string): RoleData => JSON.parse(readFileSync(join(INFRA, "roles", name), "utf8")) as RoleData;

const provider = readRole("provider-connection-approver.json");
const dns = readRole("dns-record-writer.json");
const endpointReader = readRole("endpoint-reader.json");
const emailSender = readRole("email-sender.json");
const all = [provider, dns, endpointReader, emailSender];

const lower = (actions: readonly string[]) => [...new Set(actions.map((a) => a.toLowerCase()))].sort();

let files: BicepFile[] = [];

beforeAll(async () => {
  files = await loadInfra();
});

describe("custom roles (infra/roles/*.json)", () => {
  it("are each loaded by main.bicep with loadJsonContent", () => {
    const main = files.find((f) => f.path === "infra/main.bicep")!;
    expect(loadedJsonPaths(main).sort()).toEqual(
      [
        "roles/dns-record-writer.json",
        "roles/email-sender.json",
        "roles/endpoint-reader.json",
        "roles/provider-connection-approver.json",
      ].sort(),
    );
  });

  it("have no wildcard, no duplicate and only well-formed Microsoft.* actions", () => {
    for (const role of all) {
      expect(role.actions.length, role.roleName).toBeGreaterThan(0);
      expect(
        role.actions.filter((a) => a.includes("*")),
        role.roleName,
      ).toEqual([]);
      expect(lower(role.actions).length, role.roleName).toBe(role.actions.length);
      for (const action of role.actions) {
        expect(action, role.roleName).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z0-9]+)+\/(read|write|delete|action)$/i);
      }
    }
  });

  it("keep the DNS role to reading zones and managing A records", () => {
    expect(lower(dns.actions)).toEqual(
      lower([
        "Microsoft.Network/privateDnsZones/read",
        "Microsoft.Network/privateDnsZones/A/read",
        "Microsoft.Network/privateDnsZones/A/write",
        "Microsoft.Network/privateDnsZones/A/delete",
      ]),
    );
  });

  it("give the endpoint reader only reads that the approver role has too", () => {
    expect(endpointReader.actions.every((a) => a.endsWith("/read"))).toBe(true);
    expect(lower(provider.actions)).toEqual(expect.arrayContaining(lower(endpointReader.actions)));
  });

  it("give the approver role read, write and delete on connections for every provider type it reads", () => {
    const types = provider.actions
      .filter((a) => /\/privateEndpointConnections\/read$/i.test(a))
      .map((a) => a.replace(/\/privateEndpointConnections\/read$/i, ""));
    expect(types.length).toBeGreaterThanOrEqual(2);
    for (const type of types) {
      for (const verb of ["write", "delete"]) {
        expect(lower(provider.actions), type).toContain(`${type}/privateEndpointConnections/${verb}`.toLowerCase());
      }
      expect(lower(provider.actions), type).toContain(`${type}/read`.toLowerCase());
    }
  });

  it("grant exactly ARM_ACTIONS_USED (src/adapters/arm/operations.ts) between the approver and the DNS role", () => {
    expect(lower([...provider.actions, ...dns.actions])).toEqual(lower(ARM_ACTIONS_USED));
  });

  it("keep the approver and DNS roles apart, so each can be assigned at its own scope", () => {
    const dnsActions = new Set(lower(dns.actions));
    expect(lower(provider.actions).filter((a) => dnsActions.has(a))).toEqual([]);
  });
});
