import { describe, expect, it } from "vitest";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { plainLinks, RecordingChannel } from "../../../src/ports/notifier.in-memory";
import { StaticPolicySource } from "../../../src/ports/policy-source.in-memory";
import { PermanentError, TransientError } from "../../../src/ports/errors";
import { parsePolicy } from "../../../src/domain/policy";
import { createActivities } from "../../../src/workflow/activities";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import { connectionCleanupOrchestration } from "../../../src/workflow/connection-cleanup.orchestration";
import { aTenant } from "../../support/builders";
import { runOrchestration } from "../../support/orchestration-driver";
import { TEST_POLICY } from "../../support/review-harness";
import { control, createEndpoint, PROVIDER_RG_ID, useSandboxAdapters } from "../../support/sandbox-arm";

const C1 = "00000000-0000-0000-0000-0000000000c1";
const C3 = "00000000-0000-0000-0000-0000000000c3";
const PLS = `${PROVIDER_RG_ID}/providers/Microsoft.Network/privateLinkServices/orders-api-pls`;
const PG = `${PROVIDER_RG_ID}/providers/Microsoft.DBforPostgreSQL/flexibleServers/contoso-pg-demo`;

const env = useSandboxAdapters();

describe("ArmConnectionGateway against the sandbox", () => {
  it("lists the managed provider resources of a resource group scope", async () => {
    const resources = await env.adapters.gateway.listProviderResources(PROVIDER_RG_ID);
    expect(resources.map((r) => r.type).sort()).toEqual([
      "Microsoft.DBforPostgreSQL/flexibleServers",
      "Microsoft.KeyVault/vaults",
      "Microsoft.Network/privateLinkServices",
      "Microsoft.Sql/servers",
      "Microsoft.Storage/storageAccounts",
    ]);
  });

  it("reads, lists (across pages) and approves a Private Link Service connection; a final state is not Pending", async () => {
    const made = [];
    for (const name of ["pe-pls-a", "pe-pls-b", "pe-pls-c"]) {
      made.push(
        await createEndpoint(env.sandbox, {
          subscriptionId: C1,
          name,
          targetResourceId: PLS,
          requestMessage: "CHG0012345",
        }),
      );
    }
    const first = made[0]!;
    const state = await env.adapters.gateway.getConnection(first.connectionId);
    expect(state).toMatchObject({
      armStatus: "Pending",
      providerResourceType: "Microsoft.Network/privateLinkServices",
      providerResourceTags: { service: "orders" },
    });
    expect(state?.privateEndpointId?.toLowerCase()).toBe(first.privateEndpointId.toLowerCase());

    const listed = await env.adapters.gateway.listConnections(PLS);
    for (const m of made)
      expect(listed.map((c) => c.connectionId.toLowerCase())).toContain(m.connectionId.toLowerCase());

    const approved = await env.adapters.gateway.setConnectionStatus(
      first.connectionId,
      "Approved",
      "Approved by rule known-tenant (policy abc)",
    );
    expect(approved).toMatchObject({
      armStatus: "Approved",
      description: "Approved by rule known-tenant (policy abc)",
    });
    await env.adapters.gateway.setConnectionStatus(made[1]!.connectionId, "Rejected", "Rejected by rule x");
    await expect(
      env.adapters.gateway.setConnectionStatus(made[1]!.connectionId, "Approved", "again"),
    ).rejects.toMatchObject({
      code: "CONNECTION_NOT_PENDING",
    });
  });

  it("approves a PaaS connection through the generic ARM call and its long-running operation", async () => {
    const made = await createEndpoint(env.sandbox, {
      subscriptionId: C1,
      name: "pe-pg-1",
      targetResourceId: PG,
      groupId: "postgresqlServer",
    });
    const state = await env.adapters.gateway.getConnection(made.connectionId);
    expect(state).toMatchObject({
      armStatus: "Pending",
      groupIds: ["postgresqlServer"],
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
    });
    const after = await env.adapters.gateway.setConnectionStatus(
      made.connectionId,
      "Approved",
      "Approved by rule r (policy p)",
    );
    expect(after.armStatus).toBe("Approved");
    expect(
      (await env.adapters.gateway.listConnections(PG)).find(
        (c) => c.connectionId.toLowerCase() === made.connectionId.toLowerCase(),
      )?.armStatus,
    ).toBe("Approved");
    const endpoint = await env.adapters.gateway.getPrivateEndpoint(made.privateEndpointId);
    expect(endpoint?.nicIpConfigurations[0]).toMatchObject({
      privateIPAddress: made.privateIp,
      groupId: "postgresqlServer",
    });
    expect(endpoint?.targets[0]?.targetResourceId.toLowerCase()).toBe(PG.toLowerCase());
  });

  it("maps an unreadable consumer subscription to ARM_FORBIDDEN and a missing connection to undefined", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C3, name: "pe-nw-1", targetResourceId: PLS });
    await expect(env.adapters.gateway.getPrivateEndpoint(made.privateEndpointId)).rejects.toBeInstanceOf(
      PermanentError,
    );
    await expect(env.adapters.gateway.getPrivateEndpoint(made.privateEndpointId)).rejects.toMatchObject({
      code: "ARM_FORBIDDEN",
    });
    expect(await env.adapters.gateway.getConnection(`${PLS}/privateEndpointConnections/nope`)).toBeUndefined();
  });

  it("retries throttling the SDK cannot absorb as a TransientError, and succeeds when the faults stop", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "pe-fault", targetResourceId: PLS });
    await control(env.sandbox, "POST", "/_sandbox/faults", {
      rate429: 1,
      rate5xx: 0,
      latencyMs: 0,
      seed: 1,
      // The service GET: it lists the connection inline, so the read needs no call of the connection's own.
      match: "privateLinkServices",
    });
    try {
      await expect(env.adapters.gateway.getConnection(made.connectionId)).rejects.toBeInstanceOf(TransientError);
    } finally {
      await control(env.sandbox, "DELETE", "/_sandbox/faults");
    }
    expect((await env.adapters.gateway.getConnection(made.connectionId))?.armStatus).toBe("Pending");
  });

  it("deletes a Disconnected connection; deleting again is success", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "pe-gone", targetResourceId: PLS });
    await control(env.sandbox, "DELETE", `/_sandbox/private-endpoints/${encodeURIComponent(made.privateEndpointId)}`);
    expect((await env.adapters.gateway.getConnection(made.connectionId))?.armStatus).toBe("Disconnected");
    await env.adapters.gateway.deleteConnection(made.connectionId);
    expect(await env.adapters.gateway.getConnection(made.connectionId)).toBeUndefined();
    await env.adapters.gateway.deleteConnection(made.connectionId);
  });
});

describe("ArmDnsRegistrar against the sandbox", () => {
  const zone = "privatelink.postgres.database.azure.com";
  const mine = {
    privateEndpointId: `/subscriptions/${C1}/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe-dns`,
    connectionId: `${PG}/privateEndpointConnections/c1`,
  };
  const theirs = {
    privateEndpointId: `/subscriptions/${C1}/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/other`,
    connectionId: `${PG}/privateEndpointConnections/c2`,
  };

  it("creates once, is idempotent for its owner, reports a conflict for anyone else, and removes only its own", async () => {
    const record = { zone, name: "dns-test", ipAddresses: ["10.21.1.9"] };
    expect(await env.adapters.dns.ensureARecord(record, mine)).toMatchObject({ outcome: "created" });
    expect(await env.adapters.dns.ensureARecord(record, mine)).toMatchObject({ outcome: "already-ours" });
    expect(await env.adapters.dns.ensureARecord({ ...record, ipAddresses: ["10.21.1.10"] }, mine)).toMatchObject({
      outcome: "already-ours",
    });
    expect(await env.adapters.dns.ensureARecord(record, theirs)).toMatchObject({ outcome: "conflict" });
    expect(await env.adapters.dns.removeARecord(zone, "dns-test", theirs.privateEndpointId)).toMatchObject({
      outcome: "not-ours",
    });
    expect(await env.adapters.dns.removeARecord(zone, "dns-test", mine.privateEndpointId)).toMatchObject({
      outcome: "removed",
    });
    expect(await env.adapters.dns.removeARecord(zone, "dns-test", mine.privateEndpointId)).toMatchObject({
      outcome: "absent",
    });
  });
});

describe("the review and clean-up workflows on the real ARM adapters", () => {
  it("approves a known tenant's PostgreSQL connection, registers its DNS, then cleans up after the endpoint is deleted", async () => {
    const bookkeeping = new InMemoryBookkeeping();
    await bookkeeping.upsertTenant(aTenant({ tenantId: "20000000-0000-0000-0000-000000000002", subscriptions: [C1] }));
    const activities = createActivities({
      ...env.adapters,
      bookkeeping,
      approval: {
        channels: [new RecordingChannel("email")],
        links: plainLinks,
        defaultApprovers: [],
        defaultChannels: ["email"],
      },
      policy: new StaticPolicySource(parsePolicy(TEST_POLICY)),
      managedScopes: [PROVIDER_RG_ID],
      privateLinkServiceDns: { zone: "privatelink.services.contoso.example", nameTemplate: "{tenant}.{service}" },
    });
    const made = await createEndpoint(env.sandbox, {
      subscriptionId: C1,
      name: "pe-flow",
      targetResourceId: PG,
      groupId: "postgresqlServer",
    });

    const review = await runOrchestration(connectionReviewOrchestration, {
      instanceId: "review-flow",
      input: { connectionId: made.connectionId, source: "event-grid", observedAt: "2026-01-01T09:00:00.000Z" },
      activities,
    });
    expect(review.error).toBeUndefined();
    expect(review.output).toMatchObject({ state: "approved", ruleId: "known-tenant" });
    expect(review.output?.dnsRecords).toEqual([
      expect.objectContaining({
        zone: "privatelink.postgres.database.azure.com",
        name: "contoso-pg-demo",
        ipAddresses: [made.privateIp],
        outcome: "created",
      }),
    ]);
    expect((await env.adapters.gateway.getConnection(made.connectionId))?.description).toMatch(
      /^Approved by rule known-tenant \(policy [0-9a-f]+\)$/,
    );

    await control(env.sandbox, "DELETE", `/_sandbox/private-endpoints/${encodeURIComponent(made.privateEndpointId)}`);
    const cleanup = await runOrchestration(connectionCleanupOrchestration, {
      instanceId: "cleanup-flow",
      input: { privateEndpointId: made.privateEndpointId, reason: "deleted", observedAt: "2026-01-02T09:00:00.000Z" },
      activities,
    });
    expect(cleanup.output?.cleaned).toEqual([
      { connectionId: made.connectionId, dnsRemoved: 1, dnsKept: 0, providerConnection: "deleted" },
    ]);
    expect(await env.adapters.gateway.getConnection(made.connectionId)).toBeUndefined();
    expect((await bookkeeping.getConnection(made.connectionId))?.state).toBe("removed");
  });
});
