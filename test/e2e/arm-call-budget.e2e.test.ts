import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/**
 * The ARM calls one auto-approved connection costs, per operation, from the sandbox's counters. Exact on purpose:
 * a new read slipping into the review fails here loudly. Figures: PostgreSQL 14 → 7, Private Link Service 12 → 7 → 6.
 *
 * An endpoint's write event names the endpoint, not the connection: intake reads the endpoint (its target, and the
 * address the A record needs) and lists the target's connections to learn which one is this endpoint's. That
 * listing only says which review to start. Policy judges the provider resource with its inline connection as the
 * review's decide step reads it, and the same step writes right after that read: the decision's read and the
 * write's check are one call, so there is no separate re-read of the connection before the PUT.
 */
describe("ARM call budget per auto-approved connection", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const countsFor = async (name: string, targetResourceId: string): Promise<Record<string, number>> => {
    await stack.sandboxCall("DELETE", "/_sandbox/calls");
    const pe = await stack.createEndpoint({ consumer: estateOf(stack).knownWatched, name, targetResourceId });
    const seen = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(seen.state).toBe("approved");
    expect(seen.dnsRecords).toEqual([expect.objectContaining({ outcome: "created" })]);
    // The echo of our own PUT must be delivered (and ignored) before counting.
    await stack.sandbox.eventsIdle();
    const { counters } = await stack.calls();
    return Object.fromEntries(
      Object.entries(counters)
        .map(([operation, c]) => [operation, c.count] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  };

  it("a PostgreSQL flexible server connection arriving by Event Grid", async () => {
    const counts = await countsFor("budget-pg", estateOf(stack).postgres.id);
    // Before: PE ×2, NIC ×2, server ×3, connection ×3, PUT, 2 polls, A record (14).
    expect(counts).toEqual({
      "GET privateEndpoints": 1, // intake: the target; customDnsConfigs carry the address, so no NIC read
      // 1. intake's listing: which connection is this endpoint's (a hint: it starts the review, decides nothing);
      // 2. the decide step: tags, status and request message policy judges, and the Pending the PUT follows.
      "GET flexibleServers": 2,
      "PUT flexibleServers/privateEndpointConnections": 1,
      "GET locations/azureAsyncOperation": 2, // the long-running operation; no GET of the connection after it
      "PUT privateDnsZones/A": 1,
    });
  });

  it("a Private Link Service connection arriving by Event Grid", async () => {
    const counts = await countsFor("budget-pls", estateOf(stack).pls.id);
    // Before: PE ×2, NIC ×2, service ×3, connection ×2, list, PUT, A record (12); then 7 with the list.
    expect(counts).toEqual({
      "GET privateEndpoints": 1,
      "GET networkInterfaces": 1, // a Private Link Service endpoint has no customDnsConfigs: the NIC has the address
      // 1. intake's listing (the connections inline): which one is this endpoint's, a hint;
      // 2. the decide step: the service's tags and the inline connection policy judges, and the PUT follows.
      "GET privateLinkServices": 2,
      "PUT privateLinkServices/privateEndpointConnections": 1,
      "PUT privateDnsZones/A": 1,
    });
  });
});
