import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArmDnsRegistrar } from "../../src/adapters/arm/arm-dns-registrar";
import { TableBookkeeping } from "../../src/adapters/tables/table-bookkeeping";
import { sandboxCredential } from "../support/sandbox-arm";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/** The clean-up timer on the real stack: orphaned DNS records go, foreign ones stay, offboarded tenants lose access. */
describe("the clean-up sweep end to end", () => {
  let stack: E2eStack;
  let estate: ReturnType<typeof estateOf>;
  const zone = "privatelink.postgres.database.azure.com";
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    stack = await startE2eStack();
    estate = estateOf(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    for (const [name, value] of [
      ["IDENTITY_ENDPOINT", saved.endpoint],
      ["IDENTITY_HEADER", saved.header],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const recordPath = (name: string) => stack.aRecordPath(zone, name);
  const aRecord = async (name: string) => stack.arm("GET", recordPath(name));
  const fireCleanup = () => stack.fireTimer("cleanup-sweep");
  const eventually = async (check: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("removes our record for a connection that does not exist and keeps a record without our metadata", async () => {
    const credential = sandboxCredential(stack.sandbox);
    const registrar = new ArmDnsRegistrar(
      (sub) =>
        new PrivateDnsManagementClient(credential, sub, {
          endpoint: stack.sandbox.url,
          credentialScopes: ["https://management.azure.com/.default"],
          tlsOptions: { ca: stack.sandbox.caPem },
        }),
      estate.dnsResourceGroupId,
    );
    const owner = {
      privateEndpointId: `/subscriptions/${estate.knownWatched.subscriptionId}/resourceGroups/spoke-rg/providers/Microsoft.Network/privateEndpoints/long-gone`,
      connectionId: `${estate.postgres.id}/privateEndpointConnections/long-gone.00000000-0000-0000-0000-000000000009`,
    };
    expect(
      await registrar.ensureARecord({ zone, name: "orphan-e2e", ipAddresses: ["10.20.0.99"] }, owner),
    ).toMatchObject({ outcome: "created" });
    const foreign = await stack.arm("PUT", recordPath("foreign-e2e"), {
      properties: { ttl: 300, aRecords: [{ ipv4Address: "10.20.0.98" }] },
    });
    expect(foreign.status).toBeLessThan(300);

    await fireCleanup();

    await eventually(async () => (await aRecord("orphan-e2e")).status === 404, "the orphaned record to go");
    expect((await aRecord("foreign-e2e")).status).toBe(200);
  });

  it("rejects an offboarded tenant's approved connection on ARM and removes its record", async () => {
    const pe = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "cleanup-offboard-pg",
      targetResourceId: estate.postgres.id,
    });
    const approved = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(approved.state).toBe("approved");
    const { name } = approved.dnsRecords[0];
    expect((await aRecord(name)).status).toBe(200);

    const { TABLES_ENDPOINT, TABLE_PREFIX } = stack.settings;
    const bookkeeping = new TableBookkeeping((table) =>
      TableClient.fromConnectionString(TABLES_ENDPOINT!, `${TABLE_PREFIX}${table}`, { allowInsecureConnection: true }),
    );
    const tenant = await bookkeeping.getTenant(estate.knownWatched.tenantId);
    expect(tenant).toBeDefined();
    await bookkeeping.upsertTenant({ ...tenant!, status: "offboarded" });

    await fireCleanup();

    const removed = await stack.waitForConnection(pe.connectionId, ["removed"]);
    expect(removed).toMatchObject({ state: "removed", azureStatus: "Rejected" });
    const onAzure = await stack.arm("GET", `${pe.connectionId}?api-version=2024-08-01`);
    expect(onAzure.body.properties.privateLinkServiceConnectionState).toMatchObject({
      status: "Rejected",
      description: expect.stringContaining("offboarded"),
    });
    expect((await aRecord(name)).status).toBe(404);
    expect((await bookkeeping.getTenant(estate.knownWatched.tenantId))?.usage).toBe(0);
  });
});
