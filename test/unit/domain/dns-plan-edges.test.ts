import { describe, expect, it } from "vitest";
import { planDnsRecords, type DnsPlanInput, type EndpointDnsInfo } from "../../../src/domain/dns";
import { codeOf } from "./domain-error.helper";

// The edges of record planning: which group decides the zone, what an endpoint's hostile or partial answer yields,
// and the order records come in (the registrar writes them in that order, and plans are compared).

const storage = (groupIds: string[], endpoint: EndpointDnsInfo): DnsPlanInput => ({
  providerResourceType: "Microsoft.Storage/storageAccounts",
  groupIds,
  endpoint,
});
const names = (input: DnsPlanInput) => planDnsRecords(input).records.map((r) => `${r.name} @ ${r.zone}`);

describe("which group id places a name", () => {
  it("places a NIC name by the NIC's own group id, not the connection's", () => {
    const endpoint = {
      nicIpConfigurations: [{ privateIPAddress: "10.0.0.4", fqdns: ["acct.table.core.windows.net"], groupId: "table" }],
    };
    expect(names(storage(["blob"], endpoint))).toEqual(["acct @ privatelink.table.core.windows.net"]);
  });

  it("places a NIC name without a group id by the connection's group ids", () => {
    const endpoint = { nicIpConfigurations: [{ privateIPAddress: "10.0.0.4", fqdns: ["acct.blob.core.windows.net"] }] };
    expect(names(storage(["blob"], endpoint))).toEqual(["acct @ privatelink.blob.core.windows.net"]);
    expect(planDnsRecords(storage(["table"], endpoint)).unmatched).toEqual(["acct.blob.core.windows.net"]);
  });

  it("places a name under the most specific zone that covers it, whatever the catalog's order", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.HealthcareApis/workspaces",
      groupIds: ["healthcareworkspace"],
      endpoint: {
        customDnsConfigs: [
          { fqdn: "ws-dicom.dicom.azurehealthcareapis.com", ipAddresses: ["10.2.0.6"] },
          { fqdn: "ws-fhir.fhir.azurehealthcareapis.com", ipAddresses: ["10.2.0.7"] },
        ],
      },
    });
    expect(plan.records.map((r) => `${r.name} @ ${r.zone}`)).toEqual([
      "ws-fhir.fhir @ privatelink.azurehealthcareapis.com",
      "ws-dicom @ privatelink.dicom.azurehealthcareapis.com",
    ]);
  });
});

describe("what an endpoint's answer yields", () => {
  it("ignores empty names and missing lists, and trims addresses", () => {
    const endpoint = {
      customDnsConfigs: [
        { fqdn: "", ipAddresses: ["10.0.0.1"] },
        { fqdn: "acct.blob.core.windows.net", ipAddresses: [" 10.0.0.5 "] },
        { fqdn: "nolist.blob.core.windows.net" } as unknown as { fqdn: string; ipAddresses: string[] },
      ],
      nicIpConfigurations: [
        { fqdns: ["nic.blob.core.windows.net"] } as unknown as { privateIPAddress: string; fqdns: string[] },
        { privateIPAddress: "10.0.0.6" } as unknown as { privateIPAddress: string; fqdns: string[] },
      ],
    };
    const plan = planDnsRecords(storage(["blob"], endpoint));
    expect(plan.records).toEqual([
      {
        zone: "privatelink.blob.core.windows.net",
        name: "acct",
        fqdn: "acct.blob.core.windows.net",
        ipAddresses: ["10.0.0.5"],
      },
    ]);
    expect(plan.unmatched).toEqual(["nic.blob.core.windows.net"]);
  });

  it("counts a name as placed when one of its addresses is usable", () => {
    const plan = planDnsRecords(
      storage(["blob"], {
        customDnsConfigs: [{ fqdn: "acct.blob.core.windows.net", ipAddresses: ["fe80::1", "10.0.0.5", "10.0.0.300"] }],
      }),
    );
    expect(plan.records.map((r) => r.ipAddresses)).toEqual([["10.0.0.5"]]);
    expect(plan.unmatched).toEqual([]);
  });

  it("refuses a name longer than DNS allows", () => {
    const long = `${Array.from({ length: 4 }, () => "a".repeat(60)).join(".")}.blob.core.windows.net`;
    expect(long.length).toBeGreaterThan(253);
    expect(
      planDnsRecords(storage(["blob"], { customDnsConfigs: [{ fqdn: long, ipAddresses: ["10.0.0.5"] }] })),
    ).toEqual({
      records: [],
      unmatched: [long],
    });
  });

  it("reads at most 1,000 configurations of a hostile answer", () => {
    const configs = Array.from({ length: 1001 }, (_, i) => ({
      fqdn: `a${String(i).padStart(4, "0")}.blob.core.windows.net`,
      ipAddresses: ["10.0.0.5"],
    }));
    const plan = planDnsRecords(storage(["blob"], { customDnsConfigs: configs }));
    expect(plan.records).toHaveLength(1000);
    expect(plan.records.at(-1)!.name).toBe("a0999");
    const nics = configs.map((c) => ({ privateIPAddress: "10.0.0.5", fqdns: [c.fqdn] }));
    expect(planDnsRecords(storage(["blob"], { nicIpConfigurations: nics })).records).toHaveLength(1000);
    const ips = Array.from({ length: 1001 }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const one = planDnsRecords(
      storage(["blob"], { customDnsConfigs: [{ fqdn: "acct.blob.core.windows.net", ipAddresses: ips }] }),
    );
    expect(one.records[0]!.ipAddresses).toHaveLength(1000);
    const fqdns = configs.map((c) => c.fqdn);
    const nic = planDnsRecords(storage(["blob"], { nicIpConfigurations: [{ privateIPAddress: "10.0.0.5", fqdns }] }));
    expect(nic.records).toHaveLength(1000);
  });
});

describe("the order and merging of records", () => {
  it("sorts by zone, then by name, and merges one name's addresses in numeric order", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.Storage/storageAccounts",
      groupIds: ["blob", "table"],
      endpoint: {
        customDnsConfigs: [
          { fqdn: "b.table.core.windows.net", ipAddresses: ["10.0.0.20"] },
          { fqdn: "b.blob.core.windows.net", ipAddresses: ["10.0.0.10"] },
          { fqdn: "a.blob.core.windows.net", ipAddresses: ["10.0.0.9", "10.0.0.10"] },
          { fqdn: "a.table.core.windows.net", ipAddresses: ["10.0.0.2"] },
          { fqdn: "a.blob.core.windows.net", ipAddresses: ["10.0.0.9"] },
        ],
      },
    });
    expect(plan.records.map((r) => [r.name, r.zone, r.ipAddresses])).toEqual([
      ["a", "privatelink.blob.core.windows.net", ["10.0.0.9", "10.0.0.10"]],
      ["b", "privatelink.blob.core.windows.net", ["10.0.0.10"]],
      ["a", "privatelink.table.core.windows.net", ["10.0.0.2"]],
      ["b", "privatelink.table.core.windows.net", ["10.0.0.20"]],
    ]);
  });

  it("shows the public name of a record reached by both its public and privatelink names", () => {
    const endpoint = (first: string, second: string) => ({
      customDnsConfigs: [
        { fqdn: first, ipAddresses: ["10.0.0.5"] },
        { fqdn: second, ipAddresses: ["10.0.0.5"] },
      ],
    });
    const pub = "acct.blob.core.windows.net";
    const link = "acct.privatelink.blob.core.windows.net";
    expect(planDnsRecords(storage(["blob"], endpoint(link, pub))).records[0]!.fqdn).toBe(pub);
    expect(planDnsRecords(storage(["blob"], endpoint(pub, link))).records[0]!.fqdn).toBe(pub);
  });
});

describe("Private Link Service records", () => {
  const pls = (
    endpoint: EndpointDnsInfo,
    vars: Record<string, string> = { tenant: "fabrikam" },
    zone = "privatelink.contoso.example",
  ) =>
    planDnsRecords({
      providerResourceType: "Microsoft.Network/privateLinkServices",
      groupIds: [],
      endpoint,
      privateLinkService: { zone: `${zone.toUpperCase()}.`, nameTemplate: "{TENANT}", vars },
    });

  it("publishes every distinct IPv4 address of the endpoint, in numeric order, under one name", () => {
    const plan = pls({
      customDnsConfigs: [{ fqdn: "ignored.example", ipAddresses: [" 10.4.0.10", "10.4.0.9", "not-an-ip"] }],
      nicIpConfigurations: [{ privateIPAddress: "10.4.0.9", fqdns: [] }],
    });
    expect(plan).toEqual({
      records: [
        {
          zone: "privatelink.contoso.example",
          name: "fabrikam",
          fqdn: "fabrikam.privatelink.contoso.example",
          ipAddresses: ["10.4.0.9", "10.4.0.10"],
        },
      ],
      unmatched: [],
    });
  });

  it("plans nothing while the endpoint has no usable address", () => {
    expect(pls({})).toEqual({ records: [], unmatched: [] });
    expect(
      pls({ nicIpConfigurations: [{ fqdns: [] } as unknown as { privateIPAddress: string; fqdns: string[] }] }),
    ).toEqual({
      records: [],
      unmatched: [],
    });
  });

  it("ignores values that are not text, and refuses a name that would not fit in DNS with its zone", () => {
    const vars = { tenant: "fabrikam", other: 5 } as unknown as Record<string, string>;
    expect(pls({ nicIpConfigurations: [{ privateIPAddress: "10.4.0.9", fqdns: [] }] }, vars).records[0]!.name).toBe(
      "fabrikam",
    );
    const zone = `${"z".repeat(60)}.${"y".repeat(60)}.${"x".repeat(60)}.example`; // 190 characters
    const name = (n: number) => ({ tenant: `${"a".repeat(n)}` });
    const endpoint = { nicIpConfigurations: [{ privateIPAddress: "10.4.0.9", fqdns: [] }] };
    expect(pls(endpoint, name(62), zone).records[0]!.fqdn).toHaveLength(253);
    expect(codeOf(() => pls(endpoint, name(63), zone))).toBe("DNS_NAME_INVALID");
  });
});

describe("regional zones and refusals", () => {
  const aks = (location: string | undefined, fqdn: string) =>
    planDnsRecords({
      providerResourceType: "Microsoft.ContainerService/managedClusters",
      groupIds: ["management"],
      ...(location === undefined ? {} : { location }),
      endpoint: { customDnsConfigs: [{ fqdn, ipAddresses: ["10.3.0.4"] }] },
    });

  it("places a regional name only in the zone of the resource's own region", () => {
    expect(aks("West Europe", "aks-1.abc.privatelink.westeurope.azmk8s.io").records).toHaveLength(1);
    expect(aks("West Europe", "aks-1.abc.privatelink.northeurope.azmk8s.io")).toEqual({
      records: [],
      unmatched: ["aks-1.abc.privatelink.northeurope.azmk8s.io"],
    });
  });

  it("places a name of exactly 253 characters, and no longer one", () => {
    const zone = "blob.core.windows.net";
    const label = (n: number) => "a".repeat(n);
    const fqdn = `${label(63)}.${label(63)}.${label(63)}.${label(253 - 3 * 64 - zone.length - 1)}.${zone}`;
    expect(fqdn).toHaveLength(253);
    expect(
      planDnsRecords(storage(["blob"], { customDnsConfigs: [{ fqdn, ipAddresses: ["10.0.0.5"] }] })).unmatched,
    ).toEqual([]);
  });

  it("refuses a Key Vault name that is not a record name", () => {
    const plan = planDnsRecords({
      providerResourceType: "Microsoft.KeyVault/vaults",
      groupIds: ["vault"],
      endpoint: { customDnsConfigs: [{ fqdn: "bad name.vault.azure.net", ipAddresses: ["10.1.2.3"] }] },
    });
    expect(plan).toEqual({ records: [], unmatched: ["bad name.vault.azure.net"] });
  });

  it("trims NIC addresses and reads at most 1,000 addresses for a Private Link Service", () => {
    const nic = planDnsRecords(
      storage(["blob"], {
        nicIpConfigurations: [{ privateIPAddress: " 10.0.0.7 ", fqdns: ["acct.blob.core.windows.net"] }],
      }),
    );
    expect(nic.records[0]!.ipAddresses).toEqual(["10.0.0.7"]);
    const ips = Array.from({ length: 1001 }, (_, i) => `10.5.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const service = (endpoint: EndpointDnsInfo) =>
      planDnsRecords({
        providerResourceType: "Microsoft.Network/privateLinkServices",
        groupIds: [],
        endpoint,
        privateLinkService: { zone: "privatelink.contoso.example", nameTemplate: "{tenant}", vars: { tenant: "a" } },
      }).records[0]!.ipAddresses;
    expect(service({ customDnsConfigs: ips.map((ip) => ({ fqdn: "", ipAddresses: [ip] })) })).toHaveLength(1000);
    expect(service({ nicIpConfigurations: ips.map((ip) => ({ privateIPAddress: ip, fqdns: [] })) })).toHaveLength(1000);
  });

  it("says what is wrong with a configured zone or name template", () => {
    const service = (zone: string, vars: Record<string, string>) => () =>
      planDnsRecords({
        providerResourceType: "Microsoft.Network/privateLinkServices",
        groupIds: [],
        endpoint: {},
        privateLinkService: { zone, nameTemplate: "{tenant}.{service}", vars },
      });
    expect(service("not a zone", {})).toThrow(
      '"not a zone" is not a DNS zone name; configure a zone such as privatelink.contoso.example.',
    );
    expect(service("privatelink.contoso.example", { tenant: "a" })).toThrow(
      'The template "{tenant}.{service}" gives "(a missing value)", not a DNS name',
    );
    expect(service("privatelink.contoso.example", { tenant: "a b", service: "c" })).toThrow(
      'The template "{tenant}.{service}" gives "a b.c", not a DNS name: each label needs 1-63 letters, digits or inner hyphens. Fix the template or the tenant/service names.',
    );
  });

  it("sorts many names of one zone whatever order the endpoint lists them in", () => {
    const letters = ["d", "a", "e", "c", "b", "g", "f"];
    const plan = planDnsRecords(
      storage(["blob"], {
        customDnsConfigs: letters.map((l) => ({ fqdn: `${l}.blob.core.windows.net`, ipAddresses: ["10.0.0.5"] })),
      }),
    );
    expect(plan.records.map((r) => r.name)).toEqual([...letters].sort());
  });
});
