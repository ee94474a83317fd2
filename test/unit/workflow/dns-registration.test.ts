import { describe, expect, it } from "vitest";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { InMemoryConnectionGateway } from "../../../src/ports/connection-gateway.in-memory";
import { InMemoryDnsRegistrar } from "../../../src/ports/dns-registrar.in-memory";
import { PermanentError, PermanentCodes, TransientError } from "../../../src/ports/errors";
import type { RegisterDnsInput } from "../../../src/workflow/contracts";
import { registerConnectionDns } from "../../../src/workflow/dns-registration";
import {
  aConnectionId,
  anArmConnection,
  anEndpoint,
  anEndpointId,
  aPostgresServerId,
  aPrivateLinkServiceId,
} from "../../support/builders";

// The review's DNS step: which A records it writes for an approved connection, what the row and the audit trail
// say about each, and the note it leaves when it writes none.

const AT = "2026-03-02T09:30:00.000Z";
const PLS_ZONE = "privatelink.services.contoso.example";
const PG_ZONE = "privatelink.postgres.database.azure.com";

async function setup(
  pls: { zone: string; nameTemplate: string } = { zone: PLS_ZONE, nameTemplate: "{tenant}.{service}" },
) {
  const gateway = new InMemoryConnectionGateway();
  const dns = new InMemoryDnsRegistrar();
  const bookkeeping = new InMemoryBookkeeping();
  const ports = { gateway, dns, bookkeeping, privateLinkServiceDns: pls };
  return { gateway, dns, bookkeeping, ports };
}

async function withRow(s: Awaited<ReturnType<typeof setup>>, connectionId: string, providerResourceId: string) {
  await s.bookkeeping.saveConnection({ connectionId, state: "approved", providerResourceId, updatedAt: AT });
}

/** Registers DNS for a connection whose request was recorded (the row exists, as in a review). */
async function register(s: Awaited<ReturnType<typeof setup>>, input: RegisterDnsInput) {
  const { connectionId, providerResourceId } = input.connection;
  if (!(await s.bookkeeping.getConnection(connectionId))) await withRow(s, connectionId, providerResourceId);
  return registerConnectionDns(s.ports, input);
}

const entries = async (s: Awaited<ReturnType<typeof setup>>, connectionId: string) =>
  (await s.bookkeeping.listAudit(connectionId)).map(({ stepId, kind, actor, message }) => ({
    stepId,
    kind,
    actor,
    message,
  }));

describe("registerConnectionDns for a Private Link Service", () => {
  const connection = anArmConnection({ armStatus: "Approved" });

  it("names the record by the tenant and service, writes it, and records and audits it", async () => {
    const s = await setup();
    s.gateway.addEndpoint(anEndpoint());
    const result = await register(s, {
      instanceId: "r1",
      run: "r1#2",
      connection,
      tenantId: "Contoso",
      at: AT,
    });
    const record = { zone: PLS_ZONE, name: "contoso.pls-1", ipAddresses: ["10.1.0.4"], outcome: "created" };
    expect(result).toStrictEqual({ records: [record] }); // strict: a created record carries no conflict detail
    expect([...s.dns.records.values()]).toEqual([expect.objectContaining({ name: "contoso.pls-1" })]);
    const row = await s.bookkeeping.getConnection(connection.connectionId);
    expect(row).toMatchObject({ dnsRecords: [record], updatedAt: AT });
    expect(row?.dnsNote).toBeUndefined();
    expect(await entries(s, connection.connectionId)).toEqual([
      {
        stepId: `r1#2:dns-${PLS_ZONE}/contoso.pls-1`,
        kind: "dns",
        actor: "autopilot",
        message: `A contoso.pls-1.${PLS_ZONE} → 10.1.0.4 (created).`,
      },
    ]);
  });

  it("writes one record for all the endpoint's addresses, and audits them all", async () => {
    const s = await setup();
    s.gateway.addEndpoint(
      anEndpoint({
        nicIpConfigurations: [
          { privateIPAddress: "10.1.0.4", fqdns: [] },
          { privateIPAddress: "10.1.0.5", fqdns: [] },
        ],
      }),
    );
    const result = await register(s, { instanceId: "r1", connection, tenantId: "contoso", at: AT });
    expect(result.records.map((r) => r.ipAddresses)).toEqual([["10.1.0.4", "10.1.0.5"]]);
    expect((await entries(s, connection.connectionId)).map((e) => e.message)).toEqual([
      `A contoso.pls-1.${PLS_ZONE} → 10.1.0.4, 10.1.0.5 (created).`,
    ]);
  });

  it("names an unknown tenant as such", async () => {
    const s = await setup();
    s.gateway.addEndpoint(anEndpoint());
    const result = await register(s, { instanceId: "r1", connection, at: AT });
    expect(result.records.map((r) => r.name)).toEqual(["unknown.pls-1"]);
  });

  it("uses the endpoint intake read (the same endpoint, however spelt) without reading it again", async () => {
    const s = await setup();
    const endpoint = anEndpoint({ id: anEndpointId().toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/") });
    const result = await register(s, {
      instanceId: "r1",
      connection,
      endpoint,
      tenantId: "contoso",
      at: AT,
    });
    expect(s.gateway.reads).toEqual([]);
    expect(result.records).toHaveLength(1);
  });

  it("reads the endpoint again when the one handed on is another", async () => {
    const s = await setup();
    s.gateway.addEndpoint(anEndpoint({ nicIpConfigurations: [{ privateIPAddress: "10.1.0.9", fqdns: [] }] }));
    const result = await register(s, {
      instanceId: "r1",
      connection,
      endpoint: anEndpoint({ id: anEndpointId("pe-2") }),
      tenantId: "contoso",
      at: AT,
    });
    expect(result.records[0]?.ipAddresses).toEqual(["10.1.0.9"]);
    expect(s.gateway.reads.map((r) => r.method)).toEqual(["getPrivateEndpoint"]);
  });

  it("fills the endpoint's name into a template that asks for it", async () => {
    const s = await setup({ zone: PLS_ZONE, nameTemplate: "{endpoint}.{service}" });
    s.gateway.addEndpoint(anEndpoint());
    const result = await register(s, { instanceId: "r1", connection, tenantId: "contoso", at: AT });
    expect(result.records.map((r) => r.name)).toEqual(["pe-1.pls-1"]);
  });

  it("records another endpoint's record as a conflict, leaving it as it is", async () => {
    const s = await setup();
    s.gateway.addEndpoint(anEndpoint());
    s.dns.put({ zone: PLS_ZONE, name: "contoso.pls-1", ipAddresses: ["10.9.9.9"], ownerEndpoint: "/other" });
    const result = await register(s, { instanceId: "r1", connection, tenantId: "contoso", at: AT });
    const detail = "The record exists and belongs to /other; it was left as it is.";
    expect(result.records).toEqual([
      { zone: PLS_ZONE, name: "contoso.pls-1", ipAddresses: ["10.1.0.4"], outcome: "conflict", detail },
    ]);
    expect((await entries(s, connection.connectionId)).map((e) => e.message)).toEqual([
      `DNS conflict on contoso.pls-1.${PLS_ZONE}: ${detail}`,
    ]);
  });

  it("a template that gives no DNS name writes nothing and says why", async () => {
    const s = await setup({ zone: PLS_ZONE, nameTemplate: "{tenant}..{service}" });
    s.gateway.addEndpoint(anEndpoint());
    const result = await register(s, { instanceId: "r1", connection, tenantId: "contoso", at: AT });
    expect(result.records).toEqual([]);
    expect(result.note).toMatch(/^No DNS plan: The template "\{tenant\}\.\.\{service\}" gives/);
    expect((await s.bookkeeping.getConnection(connection.connectionId))?.dnsNote).toBe(result.note);
    expect(await entries(s, connection.connectionId)).toEqual([
      { stepId: "r1:dns-plan", kind: "dns", actor: "autopilot", message: result.note },
    ]);
    expect(s.dns.records.size).toBe(0);
  });
});

describe("registerConnectionDns writes nothing, and says why", () => {
  it("when ARM names no endpoint for the connection", async () => {
    const s = await setup();
    const connection = anArmConnection({ armStatus: "Approved", privateEndpointId: "" });
    const note = "ARM reports no private endpoint for this connection; no DNS records were written.";
    expect(await register(s, { instanceId: "r1", connection, at: AT })).toEqual({
      records: [],
      note,
    });
    expect(await s.bookkeeping.getConnection(connection.connectionId)).toMatchObject({ dnsRecords: [], dnsNote: note });
    expect(await entries(s, connection.connectionId)).toEqual([
      { stepId: "r1:dns-none", kind: "dns", actor: "autopilot", message: note },
    ]);
    expect(s.gateway.reads).toEqual([]);
  });

  it.each([
    ["ARM answers 404 for it", false],
    ["it is another tenant's, and ARM forbids the read", true],
  ])("when the endpoint cannot be read: %s", async (_name, forbidden) => {
    const s = await setup();
    const connection = anArmConnection({ armStatus: "Approved" });
    if (forbidden) s.gateway.addEndpoint(anEndpoint(), { forbidden: true });
    const note =
      "The private endpoint is not readable from here (another tenant's subscription): DNS is the consumer's.";
    expect(await register(s, { instanceId: "r1", connection, at: AT })).toEqual({
      records: [],
      note,
    });
    expect(await entries(s, connection.connectionId)).toEqual([
      { stepId: "r1:dns-consumer", kind: "dns", actor: "autopilot", message: note },
    ]);
  });

  it("but a transient failure goes to the activity's retry", async () => {
    const s = await setup();
    s.gateway.failNext("getPrivateEndpoint", new TransientError("ARM_THROTTLED", "429"));
    await expect(register(s, { instanceId: "r1", connection: anArmConnection(), at: AT })).rejects.toThrow("429");
    s.gateway.failNext("getPrivateEndpoint", new PermanentError(PermanentCodes.notFound, "404"));
    expect((await register(s, { instanceId: "r1", connection: anArmConnection(), at: AT })).note).toMatch(
      /DNS is the consumer's/,
    );
  });
});

describe("registerConnectionDns for a PaaS resource", () => {
  const connection = anArmConnection({
    connectionId: aConnectionId({ resource: "pg-1" }).replace(aPrivateLinkServiceId("pg-1"), aPostgresServerId()),
    providerResourceId: aPostgresServerId(),
    providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
    armStatus: "Approved",
    groupIds: ["postgresqlServer"],
  });

  it("places each fqdn the endpoint reports in its central zone, reading no NICs it does not need", async () => {
    const s = await setup();
    s.gateway.addEndpoint(
      anEndpoint({
        customDnsConfigs: [
          { fqdn: "pg-1.postgres.database.azure.com", ipAddresses: ["10.1.0.5"] },
          { fqdn: "pg-1.example.org", ipAddresses: ["10.1.0.6"] },
          { fqdn: "pg-2.example.org", ipAddresses: ["10.1.0.7"] },
        ],
      }),
    );
    const result = await register(s, { instanceId: "r1", connection, tenantId: "contoso", at: AT });
    expect(result).toEqual({
      records: [{ zone: PG_ZONE, name: "pg-1", ipAddresses: ["10.1.0.5"], outcome: "created" }],
      note: "No central zone for: pg-1.example.org, pg-2.example.org.",
    });
    expect(s.gateway.reads).toEqual([
      { method: "getPrivateEndpoint", id: connection.privateEndpointId, detail: "endpoint-only" },
    ]);
    // Never under the Private Link Service's own naming.
    expect([...s.dns.records.values()].map((r) => `${r.name}.${r.zone}`)).toEqual([`pg-1.${PG_ZONE}`]);
  });
  it.each([
    ["in the endpoint's region: written", "westeurope", 1],
    ["in another region: not ours to place", "northeurope", 0],
  ])("places a regional zone by the endpoint's location; a name %s", async (_name, region, written) => {
    const s = await setup();
    const cluster = anArmConnection({
      providerResourceType: "Microsoft.ContainerService/managedClusters",
      armStatus: "Approved",
      groupIds: ["management"],
    });
    const fqdn = `aks-1.abc.privatelink.${region}.azmk8s.io`;
    s.gateway.addEndpoint(
      anEndpoint({ location: "westeurope", customDnsConfigs: [{ fqdn, ipAddresses: ["10.3.0.4"] }] }),
    );
    const result = await register(s, { instanceId: "r1", connection: cluster, at: AT });
    expect(result.records.map((r) => `${r.name}.${r.zone}`)).toEqual(written ? [fqdn] : []);
    expect(result.note).toBe(written ? undefined : `No central zone for: ${fqdn}.`);
  });
});
