import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planDnsRecords, ZONE_CATALOG, zonesFor, type DnsPlanInput } from "../../../src/domain/dns";
import { codeOf } from "./domain-error.helper";

const tableRows = readFileSync(path.resolve(__dirname, "../../../src/domain/dns/private-dns-zones.source.md"), "utf8")
  .split("\n")
  .filter((l) => l.startsWith("| Microsoft"));

describe("zone catalog", () => {
  it("has one entry per row of the source table, in order", () => {
    expect(tableRows).toHaveLength(79);
    expect(ZONE_CATALOG).toHaveLength(tableRows.length);
    ZONE_CATALOG.forEach((entry, i) => {
      const [, types, groups, zones] = tableRows[i]!.split("|").map((c) => c.trim());
      expect(types!.split(/[ ,(]/)[0], `row ${i + 1}`).toBe(
        entry.resourceType.split("/")[0] + "/" + entry.resourceType.split("/")[1],
      );
      // Every zone the row names is in the entry; shorthand like "(+blob/queue/table)" adds more.
      const named = zones!.replace("{region}", "{regionName}").match(/privatelink[a-z0-9.{}-]*[a-z]/gi) ?? [];
      for (const z of named) expect(entry.zones, `row ${i + 1}`).toContain(z);
      for (const g of entry.groupIds) expect(groups, `row ${i + 1}`).toContain(g.replace("_secondary", ""));
    });
  });

  it("answers by resource type and group id, case-insensitively", () => {
    expect(zonesFor("Microsoft.Storage/storageAccounts", "BLOB")).toEqual(["privatelink.blob.core.windows.net"]);
    expect(zonesFor("microsoft.dbformysql/servers", "mysqlServer")).toEqual(["privatelink.mysql.database.azure.com"]);
    expect(zonesFor("Microsoft.EventGrid/namespaces", "topicSpace")).toEqual(["privatelink.ts.eventgrid.azure.net"]);
    expect(zonesFor("Microsoft.CognitiveServices/accounts", "account")).toHaveLength(3);
    expect(zonesFor("Microsoft.Network/privateLinkServices", "")).toEqual([]);
    expect(zonesFor("Microsoft.Unknown/things", "x")).toEqual([]);
  });

  it("fills placeholders, skips zones it cannot fill and says which value is missing", () => {
    expect(zonesFor("Microsoft.ContainerService/managedClusters", "management", { regionName: "WestEurope" })).toEqual([
      "privatelink.westeurope.azmk8s.io",
    ]);
    expect(zonesFor("Microsoft.Web/staticSites", "staticSites")).toEqual(["privatelink.azurestaticapps.net"]);
    expect(codeOf(() => zonesFor("Microsoft.Sql/managedInstances", "managedInstance"))).toBe("ZONE_VARIABLE_MISSING");
    expect(() => zonesFor("Microsoft.Sql/managedInstances", "managedInstance")).toThrow(/\{dnsPrefix\}/);
  });
});

const pg = (endpoint: DnsPlanInput["endpoint"]): DnsPlanInput => ({
  providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
  groupIds: ["postgresqlServer"],
  endpoint,
});

describe("planDnsRecords", () => {
  it("puts mydb.postgres.database.azure.com in privatelink.postgres.database.azure.com as mydb", () => {
    expect(
      planDnsRecords(
        pg({ customDnsConfigs: [{ fqdn: "mydb.postgres.database.azure.com", ipAddresses: ["10.1.0.4"] }] }),
      ),
    ).toEqual({
      records: [
        {
          zone: "privatelink.postgres.database.azure.com",
          name: "mydb",
          fqdn: "mydb.postgres.database.azure.com",
          ipAddresses: ["10.1.0.4"],
        },
      ],
      unmatched: [],
    });
  });

  it("dedupes and merges IPs per name across customDnsConfigs and NIC configurations, sorted", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.Storage/storageAccounts",
      groupIds: ["blob"],
      endpoint: {
        customDnsConfigs: [
          { fqdn: "Acct.blob.core.windows.net.", ipAddresses: ["10.0.0.10", "10.0.0.9"] },
          { fqdn: "acct.blob.core.windows.net", ipAddresses: ["10.0.0.9"] },
        ],
        nicIpConfigurations: [
          { privateIPAddress: "10.0.0.2", fqdns: ["acct.privatelink.blob.core.windows.net"], groupId: "blob" },
          { privateIPAddress: "10.0.0.3", fqdns: ["acct-secondary.blob.core.windows.net"], groupId: "blob_secondary" },
        ],
      },
    });
    expect(plan.records).toEqual([
      {
        zone: "privatelink.blob.core.windows.net",
        name: "acct",
        fqdn: "acct.blob.core.windows.net",
        ipAddresses: ["10.0.0.2", "10.0.0.9", "10.0.0.10"],
      },
      {
        zone: "privatelink.blob.core.windows.net",
        name: "acct-secondary",
        fqdn: "acct-secondary.blob.core.windows.net",
        ipAddresses: ["10.0.0.3"],
      },
    ]);
    const reversed = planDnsRecords({
      providerResourceType: "Microsoft.Storage/storageAccounts",
      groupIds: ["blob"],
      endpoint: {
        nicIpConfigurations: [
          { privateIPAddress: "10.0.0.3", fqdns: ["acct-secondary.blob.core.windows.net"], groupId: "blob_secondary" },
          { privateIPAddress: "10.0.0.2", fqdns: ["acct.privatelink.blob.core.windows.net"], groupId: "blob" },
        ],
        customDnsConfigs: [{ fqdn: "acct.blob.core.windows.net", ipAddresses: ["10.0.0.9", "10.0.0.10"] }],
      },
    });
    expect(reversed.records.map((r) => [r.name, r.ipAddresses])).toEqual(
      plan.records.map((r) => [r.name, r.ipAddresses]),
    );
  });

  it("routes each fqdn of a multi-zone resource to its own zone", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.Insights/privateLinkScopes",
      groupIds: ["azuremonitor"],
      endpoint: {
        customDnsConfigs: [
          { fqdn: "api.monitor.azure.com", ipAddresses: ["10.2.0.4"] },
          { fqdn: "ws1.oms.opinsights.azure.com", ipAddresses: ["10.2.0.5"] },
          { fqdn: "scadvisorcontent.blob.core.windows.net", ipAddresses: ["10.2.0.6"] },
        ],
      },
    });
    expect(plan.records.map((r) => `${r.name} @ ${r.zone}`)).toEqual(
      [
        "api @ privatelink.monitor.azure.com",
        "ws1 @ privatelink.oms.opinsights.azure.com",
        "scadvisorcontent @ privatelink.blob.core.windows.net",
      ].sort((a, b) => (a.split(" @ ")[1]! < b.split(" @ ")[1]! ? -1 : 1)),
    );
  });

  it("resolves placeholder zones from the location or from the name itself", () => {
    const aks = planDnsRecords({
      providerResourceType: "Microsoft.ContainerService/managedClusters",
      groupIds: ["management"],
      location: "West Europe",
      endpoint: {
        customDnsConfigs: [{ fqdn: "aks-1.abc.privatelink.westeurope.azmk8s.io", ipAddresses: ["10.3.0.4"] }],
      },
    });
    expect(aks.records[0]).toMatchObject({ zone: "privatelink.westeurope.azmk8s.io", name: "aks-1.abc" });
    const mi = planDnsRecords({
      providerResourceType: "Microsoft.Sql/managedInstances",
      groupIds: ["managedInstance"],
      endpoint: { customDnsConfigs: [{ fqdn: "mi1.a1b2c3.database.windows.net", ipAddresses: ["10.3.0.5"] }] },
    });
    expect(mi.records[0]).toMatchObject({ zone: "privatelink.a1b2c3.database.windows.net", name: "mi1" });
    const acr = planDnsRecords({
      providerResourceType: "Microsoft.ContainerRegistry/registries",
      groupIds: ["registry"],
      endpoint: { customDnsConfigs: [{ fqdn: "reg1.westeurope.data.azurecr.io", ipAddresses: ["10.3.0.6"] }] },
    });
    expect(acr.records[0]).toMatchObject({ zone: "privatelink.azurecr.io", name: "reg1.westeurope.data" });
  });

  it("reports fqdns no zone covers, and addresses that are not IPv4", () => {
    const plan = planDnsRecords(
      pg({
        customDnsConfigs: [
          { fqdn: "mydb.example.com", ipAddresses: ["10.1.0.4"] },
          { fqdn: "postgres.database.azure.com", ipAddresses: ["10.1.0.4"] },
          { fqdn: "bad.postgres.database.azure.com", ipAddresses: ["not-an-ip"] },
          { fqdn: "bad name.postgres.database.azure.com", ipAddresses: ["10.1.0.4"] },
        ],
      }),
    );
    expect(plan).toEqual({
      records: [],
      unmatched: [
        "bad name.postgres.database.azure.com",
        "bad.postgres.database.azure.com",
        "mydb.example.com",
        "postgres.database.azure.com",
      ],
    });
  });

  it("names a Private Link Service endpoint from the configured zone and template", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.Network/privateLinkServices",
      groupIds: [],
      endpoint: {
        nicIpConfigurations: [{ privateIPAddress: "10.4.0.5", fqdns: [] }],
        customDnsConfigs: [{ fqdn: "", ipAddresses: ["10.4.0.5"] }],
      },
      privateLinkService: {
        zone: "privatelink.orders.contoso.example",
        nameTemplate: "{tenant}.{service}",
        vars: { tenant: "Fabrikam", service: "orders" },
      },
    });
    expect(plan).toEqual({
      records: [
        {
          zone: "privatelink.orders.contoso.example",
          name: "fabrikam.orders",
          fqdn: "fabrikam.orders.privatelink.orders.contoso.example",
          ipAddresses: ["10.4.0.5"],
        },
      ],
      unmatched: [],
    });
  });

  it.each([
    ["a label with a space", { tenant: "Fab rikam", service: "orders" }],
    ["a label with a leading hyphen", { tenant: "-fab", service: "orders" }],
    ["a label over 63 characters", { tenant: "x".repeat(64), service: "orders" }],
    ["a missing value", { service: "orders" }],
  ])("refuses a Private Link Service name with %s (DNS_NAME_INVALID)", (_, vars) => {
    const input: DnsPlanInput = {
      providerResourceType: "Microsoft.Network/privateLinkServices",
      groupIds: [],
      endpoint: { nicIpConfigurations: [{ privateIPAddress: "10.4.0.5", fqdns: [] }] },
      privateLinkService: {
        zone: "privatelink.contoso.example",
        nameTemplate: "{tenant}.{service}",
        vars: vars,
      },
    };
    expect(codeOf(() => planDnsRecords(input))).toBe("DNS_NAME_INVALID");
  });

  it("refuses a configured zone that is not a DNS name", () => {
    const input: DnsPlanInput = {
      providerResourceType: "Microsoft.Network/privateLinkServices",
      groupIds: [],
      endpoint: {},
      privateLinkService: { zone: "not a zone", nameTemplate: "{tenant}", vars: { tenant: "a" } },
    };
    expect(codeOf(() => planDnsRecords(input))).toBe("DNS_ZONE_INVALID");
  });
});

describe("planDnsRecords for zones not named after the public suffix", () => {
  it("puts a Key Vault's vault.azure.net name in privatelink.vaultcore.azure.net", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.KeyVault/vaults",
      groupIds: ["vault"],
      endpoint: { customDnsConfigs: [{ fqdn: "Contoso-KV.vault.azure.net", ipAddresses: ["10.1.2.3"] }] },
    });
    expect(plan.records).toEqual([
      {
        zone: "privatelink.vaultcore.azure.net",
        name: "contoso-kv",
        fqdn: "contoso-kv.vault.azure.net",
        ipAddresses: ["10.1.2.3"],
      },
    ]);
    expect(plan.unmatched).toEqual([]);
  });

  it("still refuses a name outside every zone of the group", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.KeyVault/vaults",
      groupIds: ["vault"],
      endpoint: { customDnsConfigs: [{ fqdn: "contoso-kv.vault.example.com", ipAddresses: ["10.1.2.3"] }] },
    });
    expect(plan.records).toEqual([]);
    expect(plan.unmatched).toEqual(["contoso-kv.vault.example.com"]);
  });
});
