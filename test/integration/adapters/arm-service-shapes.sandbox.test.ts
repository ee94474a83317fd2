import { describe, expect, it } from "vitest";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { plainLinks } from "../../../src/ports/notifier.in-memory";
import { StaticPolicySource } from "../../../src/ports/policy-source.in-memory";
import { parsePolicy } from "../../../src/domain/policy";
import { createActivities } from "../../../src/workflow/activities";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { CallEntry } from "../../../sandbox/control/call-log";
import { runOrchestration } from "../../support/orchestration-driver";
import { control, createEndpoint, PROVIDER_RG_ID, useSandboxAdapters } from "../../support/sandbox-arm";

/**
 * What the real services answer and the sandbox used to smooth over (test/contracts/SOURCES.md names the spec
 * files and examples): Storage and Key Vault connections have no groupIds, Key Vault answers 204 for an absent
 * connection and 200 + Azure-AsyncOperation for a PUT, and a PaaS delete is a long-running operation.
 */
const C1 = "00000000-0000-0000-0000-0000000000c1";
const PG = `${PROVIDER_RG_ID}/providers/Microsoft.DBforPostgreSQL/flexibleServers/contoso-pg-demo`;
const STORAGE = `${PROVIDER_RG_ID}/providers/Microsoft.Storage/storageAccounts/contosodemostore`;
const VAULT = `${PROVIDER_RG_ID}/providers/Microsoft.KeyVault/vaults/contoso-kv-demo`;

const GROUP_POLICY = `
schemaVersion: 1
rules:
  - id: blob-or-vault
    when: { groupId: [blob, vault] }
    then: { verdict: approve, reason: Storage blobs and vaults are open to every tenant. }
default:
  verdict: reject
  reason: Only blob and vault endpoints are accepted here.
`;

const env = useSandboxAdapters();

async function calls(): Promise<CallEntry[]> {
  return (await control<{ calls: CallEntry[] }>(env.sandbox, "GET", "/_sandbox/calls")).body.calls;
}

async function callsDuring(action: () => Promise<unknown>): Promise<CallEntry[]> {
  await control(env.sandbox, "DELETE", "/_sandbox/calls");
  await action();
  return calls();
}

function reviewActivities() {
  return createActivities({
    ...env.adapters,
    bookkeeping: new InMemoryBookkeeping(),
    approval: { channels: [], links: plainLinks, defaultApprovers: [], defaultChannels: [] },
    policy: new StaticPolicySource(parsePolicy(GROUP_POLICY)),
    managedScopes: [PROVIDER_RG_ID],
  });
}

describe("the app against services that answer as Azure does", () => {
  it("takes a Storage connection's group id from its endpoint: the group-id rule matches and the A record is planned", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "pe-blob", targetResourceId: STORAGE });
    const review = await runOrchestration(connectionReviewOrchestration, {
      instanceId: "review-blob",
      input: { connectionId: made.connectionId, source: "http", observedAt: "2026-01-01T09:00:00.000Z" },
      activities: reviewActivities(),
    });
    expect(review.output).toMatchObject({ state: "approved", ruleId: "blob-or-vault" });
    expect(review.output?.dnsRecords).toEqual([
      expect.objectContaining({
        zone: "privatelink.blob.core.windows.net",
        name: "contosodemostore",
        ipAddresses: [made.privateIp],
        outcome: "created",
      }),
    ]);
  });

  it("plans a Key Vault endpoint's A record from its NIC when its customDnsConfigs are empty", async () => {
    const made = await createEndpoint(env.sandbox, {
      subscriptionId: C1,
      name: "pe-vault-zone-group",
      targetResourceId: VAULT,
      customDnsConfigs: false,
    });
    const review = await runOrchestration(connectionReviewOrchestration, {
      instanceId: "review-vault",
      input: { connectionId: made.connectionId, source: "http", observedAt: "2026-01-01T09:00:00.000Z" },
      activities: reviewActivities(),
    });
    expect(review.output).toMatchObject({ state: "approved", ruleId: "blob-or-vault" });
    expect(review.output?.dnsRecords).toEqual([
      expect.objectContaining({
        zone: "privatelink.vaultcore.azure.net",
        name: "contoso-kv-demo",
        ipAddresses: [made.privateIp],
      }),
    ]);
  });

  it("reads Key Vault's 204 for an absent connection as absent, not as a fault to retry", async () => {
    const made = await createEndpoint(env.sandbox, {
      subscriptionId: C1,
      name: "pe-vault-204",
      targetResourceId: VAULT,
    });
    await env.adapters.gateway.deleteConnection(made.connectionId);
    expect(
      await env.adapters.gateway.getConnection(made.connectionId, { withProviderResource: false }),
    ).toBeUndefined();
    expect(await env.adapters.gateway.getConnection(`${VAULT}/privateEndpointConnections/never-was`)).toBeUndefined();
  });

  it("follows Key Vault's 200 + Azure-AsyncOperation on a PUT until the operation succeeds", async () => {
    const made = await createEndpoint(env.sandbox, {
      subscriptionId: C1,
      name: "pe-vault-put",
      targetResourceId: VAULT,
    });
    const seen = await callsDuring(() =>
      env.adapters.gateway.setConnectionStatus(made.connectionId, "Approved", "Approved by rule r (policy p)"),
    );
    expect(seen.map((c) => `${c.operation} ${c.status}`)).toEqual([
      "PUT vaults/privateEndpointConnections 200",
      "GET locations/operationStatus 200",
      "GET locations/operationStatus 200",
    ]);
  });

  it("waits for a PostgreSQL delete through its Azure-AsyncOperation", async () => {
    const made = await createEndpoint(env.sandbox, { subscriptionId: C1, name: "pe-pg-delete", targetResourceId: PG });
    const seen = await callsDuring(() => env.adapters.gateway.deleteConnection(made.connectionId));
    expect(seen.map((c) => `${c.operation} ${c.status}`)).toEqual([
      "DELETE flexibleServers/privateEndpointConnections 202",
      "GET locations/azureAsyncOperation 200",
      "GET locations/azureAsyncOperation 200",
    ]);
    expect(await env.adapters.gateway.getConnection(made.connectionId)).toBeUndefined();
  });

  it("waits for a Key Vault delete by reading the connection, never sending its token to the Location's other host", async () => {
    const made = await createEndpoint(env.sandbox, {
      subscriptionId: C1,
      name: "pe-vault-del",
      targetResourceId: VAULT,
    });
    const seen = await callsDuring(() => env.adapters.gateway.deleteConnection(made.connectionId));
    const armHost = new URL(env.sandbox.url).host;
    expect(seen.map((c) => c.host)).toEqual(seen.map(() => armHost));
    expect(seen.map((c) => `${c.method} ${c.status}`)).toEqual(["DELETE 202", "GET 200", "GET 204"]);
    expect(await env.adapters.gateway.getConnection(made.connectionId)).toBeUndefined();
  });
});
