import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import apiVersions from "../../src/adapters/arm/api-versions.json";
import {
  ARM_ACTIONS_USED,
  CONSUMER_ENDPOINT_ACTIONS,
  DNS_ACTIONS,
  OPERATION_STATUS_ACTIONS,
  PROVIDER_ACTIONS,
  SUBSCRIPTION_SCOPE_ACTIONS,
} from "../../src/adapters/arm/operations";
import { INFRA, descendants, loadInfra, loadedJsonPaths, property, resources, type BicepFile } from "./bicep-source";

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
const operationStatus = readRole("operation-status-reader.json");
const all = [provider, dns, endpointReader, emailSender, operationStatus];

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
        "roles/operation-status-reader.json",
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

  it("grant each role exactly its group of the code's ARM actions (src/adapters/arm/operations.ts)", () => {
    expect(lower(provider.actions)).toEqual(lower(PROVIDER_ACTIONS));
    expect(lower(operationStatus.actions)).toEqual(lower(Object.values(OPERATION_STATUS_ACTIONS).flat()));
    expect(lower(endpointReader.actions)).toEqual(lower(CONSUMER_ENDPOINT_ACTIONS));
    expect(lower(dns.actions)).toEqual(lower(DNS_ACTIONS));
  });

  it("keep the DNS role to reading zones and managing A records, and the reader roles to reads", () => {
    expect(lower(dns.actions)).toEqual(
      lower([
        "Microsoft.Network/privateDnsZones/read",
        "Microsoft.Network/privateDnsZones/A/read",
        "Microsoft.Network/privateDnsZones/A/write",
        "Microsoft.Network/privateDnsZones/A/delete",
      ]),
    );
    for (const role of [endpointReader, operationStatus]) {
      expect(role.actions.every((a) => a.endsWith("/read"))).toBe(true);
    }
  });

  it("grant no excess: no resource group or subscription-wide reads, no consumer reads in the approver role", () => {
    const granted = lower(all.flatMap((r) => r.actions));
    expect(granted).not.toContain("microsoft.resources/subscriptions/resourcegroups/read");
    expect(granted).not.toContain("microsoft.resources/subscriptions/resources/read");
    expect(lower(provider.actions).filter((a) => lower(CONSUMER_ENDPOINT_ACTIONS).includes(a))).toEqual([]);
  });

  it("read the status of every managed provider's long-running operations (one entry per namespace)", () => {
    const namespaces = new Set(
      ["Microsoft.Network/privateLinkServices", ...Object.keys(apiVersions).filter((k) => !k.startsWith("$"))].map(
        (type) => type.split("/")[0]!,
      ),
    );
    for (const namespace of namespaces) {
      expect(OPERATION_STATUS_ACTIONS, namespace).toHaveProperty([namespace]);
      for (const action of OPERATION_STATUS_ACTIONS[namespace]!) {
        expect(action).toMatch(new RegExp(`^${namespace.replace(".", "\\.")}/locations/[A-Za-z]+/read$`));
      }
    }
    expect(lower(OPERATION_STATUS_ACTIONS["Microsoft.Sql"] ?? [])).toContain(
      "microsoft.sql/locations/privateendpointconnectionazureasyncoperation/read",
    );
    expect(lower(OPERATION_STATUS_ACTIONS["Microsoft.DBforPostgreSQL"] ?? [])).toContain(
      "microsoft.dbforpostgresql/locations/azureasyncoperation/read",
    );
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

  it("grant exactly ARM_ACTIONS_USED between them, except what only a whole managed subscription needs", () => {
    const granted = [provider, operationStatus, endpointReader, dns].flatMap((r) => r.actions);
    expect(lower(granted)).toEqual(lower(ARM_ACTIONS_USED.filter((a) => !SUBSCRIPTION_SCOPE_ACTIONS.includes(a))));
  });

  it("keep the approver and DNS roles apart, so each can be assigned at its own scope", () => {
    const dnsActions = new Set(lower(dns.actions));
    expect(lower(provider.actions).filter((a) => dnsActions.has(a))).toEqual([]);
  });
});

describe("custom role placement (infra/main.bicep)", () => {
  const roleModules = () =>
    descendants(files.find((f) => f.path === "infra/main.bicep")!.root, "module_declaration").filter((m) =>
      m.namedChildren[1]?.text.includes("app/custom-role.bicep"),
    );

  it("creates every custom role in the deployment subscription, so reordering or moving groups never moves it", () => {
    const modules = roleModules();
    expect(modules).toHaveLength(5);
    for (const module of modules) {
      const body = module.namedChildren[module.namedChildren.length - 1];
      const object = body?.type === "if_statement" ? body.namedChildren[body.namedChildren.length - 1] : body;
      expect(property(object, "scope"), module.namedChildren[0]?.text).toBeUndefined();
    }
  });

  it("assigns the operation status reader on the subscription of every managed group", () => {
    const main = files.find((f) => f.path === "infra/main.bicep")!;
    expect(main.text).toMatch(
      /module operationStatusAccess 'app\/subscription-role-assignment.bicep' = \[\s*for subscriptionScope in managedSubscriptionScopes:/,
    );
    expect(main.text).toMatch(/roleGuid: operationStatusRole\.outputs\.roleGuid/);
  });

  it("assigns the email sender only on the Communication Services resource, as Microsoft documents", () => {
    const email = files.find((f) => f.path === "infra/app/email.bicep")!;
    const assignments = resources(email).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    expect(assignments.map((r) => property(r.body, "scope")?.text)).toEqual(["communicationService"]);
  });
});
