import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/** Creates an endpoint, lets its connection be reviewed (by its event, or an operator's request), counts the calls. */
async function countsFor(
  stack: E2eStack,
  name: string,
  targetResourceId: string,
  arrives: "event" | "http" = "event",
): Promise<Record<string, number>> {
  await stack.sandboxCall("DELETE", "/_sandbox/calls");
  // Over HTTP: a known tenant's subscription we do not watch, so no event competes with the operator's request.
  const consumer =
    arrives === "event"
      ? estateOf(stack).knownWatched
      : stack.sandbox.estate.consumers.find((c) => !c.watched && c.readableByApp)!;
  const pe = await stack.createEndpoint({ consumer, name, targetResourceId });
  if (arrives === "http") {
    expect((await stack.api("POST", "/reviews", { connectionId: pe.connectionId })).status).toBe(202);
  }
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
}

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

  it("a PostgreSQL flexible server connection arriving by Event Grid", async () => {
    const counts = await countsFor(stack, "budget-pg", estateOf(stack).postgres.id);
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
    const counts = await countsFor(stack, "budget-pls", estateOf(stack).pls.id);
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

// Its own stack: the A record of the one PostgreSQL server is already the event case's endpoint's.
describe("ARM call budget per auto-approved connection asked for over HTTP", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("a PostgreSQL flexible server connection an operator asks for over HTTP", async () => {
    const counts = await countsFor(stack, "budget-pg-http", estateOf(stack).postgres.id, "http");
    // Before: 6 + 2 polls (the review read the connection again before policy, and again before the PUT).
    expect(counts).toEqual({
      // The API's check that ARM has it (404 otherwise), handed on as the review's first read: what to record.
      "GET flexibleServers/privateEndpointConnections": 1,
      "GET flexibleServers": 1, // the decide step: what policy judges and the PUT follows
      "PUT flexibleServers/privateEndpointConnections": 1,
      "GET locations/azureAsyncOperation": 2,
      "GET privateEndpoints": 1, // the address for the A record (no intake read it)
      "PUT privateDnsZones/A": 1,
    });
  });
});
