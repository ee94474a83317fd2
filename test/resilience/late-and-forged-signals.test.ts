import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "../e2e/e2e-stack";
import {
  armStatus,
  asCloudEvent,
  audited,
  postEvents,
  report,
  resourceEvent,
  resourceNotification,
  rowOf,
} from "./resilience-support";
import { until } from "../support/until";

const KEPT = "nothing was removed";
const FABRIKAM = "20000000-0000-0000-0000-000000000002";

/**
 * Late and forged "gone" and "who" signals against live connections: every one must change nothing while ARM shows
 * the connection alive, and no claim in a signal may decide a tenant. Counts what was deleted, approved or
 * attributed without ARM's say-so; all must be zero.
 */
describe("late and forged signals", () => {
  let stack: E2eStack;
  let estate: ReturnType<typeof estateOf>;

  beforeAll(async () => {
    stack = await startE2eStack();
    estate = estateOf(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("delete nothing, approve nothing and attribute nothing that ARM does not confirm", async () => {
    // A live approved connection (known tenant, PostgreSQL, its A record written).
    const victim = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "victim",
      targetResourceId: estate.postgres.id,
    });
    await stack.waitForConnection(victim.connectionId, ["approved"]);

    // The consumer deletes its endpoint and re-creates it with the same name: a genuine delete event, then a
    // live connection again under the same ids. A copy of that delete is delivered late, below.
    const late = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "late",
      targetResourceId: estate.pls.id,
    });
    await stack.waitForConnection(late.connectionId, ["approved"]);
    const lateDelete = resourceEvent(
      "delete",
      late.privateEndpointId,
      "Microsoft.Network/privateEndpoints/delete",
      FABRIKAM,
    );
    expect((await stack.sandboxCall("DELETE", `/_sandbox/private-endpoints${late.privateEndpointId}`)).status).toBe(
      200,
    );
    await stack.waitForConnection(late.connectionId, ["removed"]);
    // Our own provider-side delete echoes back as an event; let that clean-up find the connection gone too.
    await stack.sandbox.eventsIdle();
    await stack.createEndpoint({ consumer: estate.knownWatched, name: "late", targetResourceId: estate.pls.id });
    await stack.waitForConnection(late.connectionId, ["approved"]);

    // An unknown tenant's connection waiting for a person.
    const waiting = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "waiting",
      targetResourceId: estate.pls.id,
    });
    expect((await stack.api("POST", "/reviews", { connectionId: waiting.connectionId })).status).toBe(202);
    await stack.waitForConnection(waiting.connectionId, ["awaiting-approval"]);

    // An unknown tenant's endpoint, announced by an event that claims to come from the known tenant.
    const claimed = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "claimed",
      targetResourceId: estate.postgres.id,
    });
    // A Pending connection no event announced: the forged notification below also names it, so its review shows
    // that the notification was processed.
    const quiet = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "quiet",
      targetResourceId: estate.postgres.id,
    });
    await stack.sandbox.eventsIdle();
    await stack.sandboxCall("DELETE", "/_sandbox/calls");

    const victimConnectionEvent = resourceEvent(
      "delete",
      victim.connectionId,
      "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections/delete",
    );
    expect(
      await postEvents(stack, [
        resourceEvent("delete", victim.privateEndpointId, "Microsoft.Network/privateEndpoints/delete", FABRIKAM),
        victimConnectionEvent,
        resourceNotification({ id: estate.postgres.id, type: estate.postgres.type }, [
          { id: victim.connectionId, status: "Disconnected", privateEndpointId: victim.privateEndpointId },
          { id: quiet.connectionId, status: "Pending" },
        ]),
        lateDelete,
        resourceEvent("write", claimed.privateEndpointId, "Microsoft.Network/privateEndpoints/write", FABRIKAM),
      ]),
    ).toBeLessThan(300);
    const cloud = asCloudEvent(
      resourceEvent("delete", waiting.privateEndpointId, "Microsoft.Network/privateEndpoints/delete"),
    );
    expect(await postEvents(stack, [cloud], true)).toBeLessThan(300);

    // Each clean-up records that it found the connection alive; the notification reviews the quiet connection.
    await until(async () => (await keptCount(victim.connectionId)) >= 2, "clean-ups of the victim");
    await until(() => audited(stack, late.connectionId, KEPT), "the late delete's clean-up");
    await until(() => audited(stack, waiting.connectionId, KEPT), "the CloudEvents delete's clean-up");
    await until(async () => (await rowOf(stack, claimed.connectionId)) !== undefined, "the claimed endpoint's review");
    await until(async () => (await rowOf(stack, quiet.connectionId)) !== undefined, "the notification's review");
    await stack.waitForConnection(claimed.connectionId, ["awaiting-approval", "approved", "rejected", "failed"]);

    const { calls } = await stack.calls();
    const deletes = calls.filter(
      (c: { method: string; path: string }) =>
        c.method === "DELETE" && /privateEndpointConnections|privateDnsZones/i.test(c.path),
    );
    const approvals = calls.filter(
      (c: { method: string; path: string; body?: string }) =>
        c.method === "PUT" &&
        [claimed.connectionId, waiting.connectionId].some((id) => c.path.toLowerCase() === id.toLowerCase()),
    );
    const alive = [victim, late].map((x) => x.connectionId);
    const rowsRemoved = (await Promise.all([...alive, waiting.connectionId].map((id) => rowOf(stack, id)))).filter(
      (row) => row?.state !== "approved" && row?.state !== "awaiting-approval",
    ).length;
    const armNotAlive = (await Promise.all(alive.map((id) => armStatus(stack, id)))).filter(
      (s) => s !== "Approved",
    ).length;
    const claimedRow = await rowOf(stack, claimed.connectionId);

    const counts = report("late-and-forged-signals", {
      deletesNotJustified: deletes.length + armNotAlive,
      rowsMarkedGone: rowsRemoved,
      approvalsNotJustified: approvals.length,
      tenantFromClaims: claimedRow?.tenantId?.toLowerCase() === FABRIKAM ? 1 : 0,
    });
    expect(counts).toEqual({
      deletesNotJustified: 0,
      rowsMarkedGone: 0,
      approvalsNotJustified: 0,
      tenantFromClaims: 0,
    });
  });

  async function keptCount(connectionId: string): Promise<number> {
    const row = await rowOf(stack, connectionId);
    return (row?.history ?? []).filter((e: { message: string }) => e.message.includes(KEPT)).length;
  }
});
