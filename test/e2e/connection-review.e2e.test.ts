import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";

/** From a consumer's private endpoint to an approved, DNS-registered, recorded connection, on the real stack. */
describe("connection review end to end (devhost + sandbox + Azurite)", () => {
  let stack: E2eStack;
  let estate: ReturnType<typeof estateOf>;

  beforeAll(async () => {
    stack = await startE2eStack();
    estate = estateOf(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const aRecord = (zone: string, name: string) => stack.arm("GET", stack.aRecordPath(zone, name));

  it("approves a known tenant's PostgreSQL connection and writes its A record in the central zone", async () => {
    const pe = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "e2e-pg-approve",
      targetResourceId: estate.postgres.id,
      requestMessage: "reporting replica",
    });

    const seen = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);

    expect(seen.state).toBe("approved");
    expect(seen.ruleId).toBe("known-tenant-auto-approve");
    expect(seen.tenantId).toBe(estate.knownWatched.tenantId);
    const zone = "privatelink.postgres.database.azure.com";
    expect(seen.dnsRecords).toEqual([
      expect.objectContaining({ zone, name: estate.postgres.name, outcome: "created" }),
    ]);
    const record = await aRecord(zone, estate.postgres.name);
    expect(record.status).toBe(200);
    expect(record.body.properties.aRecords.map((a: { ipv4Address: string }) => a.ipv4Address)).toEqual(
      seen.dnsRecords[0].ipAddresses,
    );
    const onAzure = await stack.arm("GET", `${pe.connectionId}?api-version=2024-08-01`);
    expect(onAzure.body.properties.privateLinkServiceConnectionState.status).toBe("Approved");
    expect(onAzure.body.properties.privateLinkServiceConnectionState.description).toContain(
      "known-tenant-auto-approve",
    );
  });

  it("keeps an unknown tenant's Private Link Service connection waiting for a person, and writes nothing", async () => {
    const pe = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "e2e-pls-review",
      targetResourceId: estate.pls.id,
      requestMessage: "partner integration",
    });
    // The consumer's subscription is not watched: no event reaches us, so the operator asks for the review.
    const asked = await stack.api("POST", "/reviews", { connectionId: pe.connectionId });
    expect(asked.status).toBe(202);

    const seen = await stack.waitForConnection(pe.connectionId, [
      "awaiting-approval",
      "approved",
      "rejected",
      "failed",
    ]);

    expect(seen.state).toBe("awaiting-approval");
    expect(seen.verdict).toBe("review");
    const writes = (await stack.calls()).calls.filter(
      (c: { method: string; path: string }) =>
        c.method === "PUT" && c.path.toLowerCase() === pe.connectionId.toLowerCase(),
    );
    expect(writes).toEqual([]);
  });

  it("rejects a production connection without a change ticket and says why on the connection", async () => {
    const pe = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "e2e-st-noticket",
      targetResourceId: estate.storage.id,
      requestMessage: "need blob access",
    });

    const seen = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);

    expect(seen.state).toBe("rejected");
    expect(seen.ruleId).toBe("production-needs-change-ticket");
    expect(seen.reason).toMatch(/change ticket/);
    const onAzure = await stack.arm("GET", `${pe.connectionId}?api-version=2023-05-01`);
    expect(onAzure.body.properties.privateLinkServiceConnectionState.status).toBe("Rejected");
    expect(onAzure.body.properties.privateLinkServiceConnectionState.description).toContain(
      "production-needs-change-ticket",
    );
  });

  it("removes the endpoint's DNS record when the consumer deletes the endpoint", async () => {
    // A production resource: the request carries its change ticket, so policy approves it.
    const pe = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "e2e-sql-delete",
      targetResourceId: estate.sql.id,
      requestMessage: "billing replica, change CHG0012345",
    });
    const approved = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(approved.state).toBe("approved");
    expect(approved.ruleId).toBe("known-tenant-auto-approve");
    const { zone, name, outcome } = approved.dnsRecords[0];
    expect({ zone, outcome }).toEqual({ zone: "privatelink.database.windows.net", outcome: "created" });
    expect((await aRecord(zone, name)).status).toBe(200);

    const deleted = await stack.sandboxCall(
      "DELETE",
      `/_sandbox/private-endpoints/${encodeURIComponent(pe.privateEndpointId)}`,
    );
    expect(deleted.status).toBeLessThan(300);

    const removed = await stack.waitForConnection(pe.connectionId, ["removed"]);
    expect(removed.state).toBe("removed");
    expect((await aRecord(zone, name)).status).toBe(404);
  });

  it("never overwrites another endpoint's record: a second endpoint to the same server is a DNS conflict", async () => {
    const first = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "e2e-kv-a",
      targetResourceId: estate.keyVault.id,
    });
    const firstSeen = await stack.waitForConnection(first.connectionId, ["approved", "rejected", "failed"]);
    const second = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "e2e-kv-b",
      targetResourceId: estate.keyVault.id,
    });
    const secondSeen = await stack.waitForConnection(second.connectionId, ["approved", "rejected", "failed"]);

    expect(firstSeen.dnsRecords[0].outcome).toBe("created");
    expect(secondSeen.state).toBe("approved");
    expect(secondSeen.dnsRecords[0].outcome).toBe("conflict");
    const { zone, name } = firstSeen.dnsRecords[0];
    const record = await aRecord(zone, name);
    expect(record.body.properties.aRecords.map((a: { ipv4Address: string }) => a.ipv4Address)).toEqual(
      firstSeen.dnsRecords[0].ipAddresses,
    );

    // Deleting the second endpoint leaves the first one's record alone.
    await stack.sandboxCall("DELETE", `/_sandbox/private-endpoints/${encodeURIComponent(second.privateEndpointId)}`);
    await stack.waitForConnection(second.connectionId, ["removed"]);
    expect((await aRecord(zone, name)).status).toBe(200);
  });
});

describe("at-least-once delivery end to end", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    // Every event five times, and every activity run twice: the product must not notice.
    stack = await startE2eStack({ deliverEachEventTimes: 5, runActivitiesTwice: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("approves once per connection however often events are delivered and activities run", async () => {
    const estate = estateOf(stack);
    const endpoints = [];
    for (const name of ["dup-pg-1", "dup-pg-2"]) {
      endpoints.push(
        await stack.createEndpoint({ consumer: estate.knownWatched, name, targetResourceId: estate.postgres.id }),
      );
    }
    for (const pe of endpoints) {
      expect((await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"])).state).toBe(
        "approved",
      );
    }
    await stack.sandbox.eventsIdle();

    const { calls } = await stack.calls();
    for (const pe of endpoints) {
      const approveWrites = calls.filter(
        (c: { method: string; path: string; status: number }) =>
          c.method === "PUT" && c.path.toLowerCase() === pe.connectionId.toLowerCase() && c.status < 300,
      );
      expect(approveWrites).toHaveLength(1);
    }
    const deliveries = stack.sandbox.deliveries();
    expect(deliveries.length).toBeGreaterThanOrEqual(10);
    const listed = await stack.api("GET", `/connections?resource=${encodeURIComponent(estate.postgres.id)}`);
    expect(listed.status).toBe(200);
  });
});
