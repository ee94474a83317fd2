import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { encodeKey } from "../../src/domain/arm-id";
import { armConnection, inboxFor, waitForApprovers } from "../support/approval-flow";
import { until } from "../support/until";
import { signIn } from "../support/easy-auth";
import { openApiProblems, type SeenResponse } from "../support/openapi-check";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";
import { operatorClient } from "./operator-client";

const DAY = 24 * 3_600_000;
const STALE_POLICY = "file:test/fixtures/stale/stale.policy.yaml";

/** The devhost's manual clock carries every review and timer; the tests move it, nobody sleeps for a deadline. */
function helpers(stack: () => E2eStack) {
  const advance = (ms: number) => stack().advanceTime(ms);
  /** A Fabrikam endpoint (readable) on the PostgreSQL server, with a review started for it. */
  const request = async (name: string, requestMessage: string) => {
    const s = stack();
    const consumer = s.sandbox.estate.consumers.find((c) => c.readableByApp && !c.watched)!;
    const pe = await s.createEndpoint({ consumer, name, targetResourceId: estateOf(s).postgres.id, requestMessage });
    expect((await s.api("POST", "/reviews", { connectionId: pe.connectionId })).status).toBe(202);
    return pe;
  };
  const row = async (connectionId: string) =>
    (await stack().api("GET", `/connections/${encodeKey(connectionId)}`)).body;
  const history = async (connectionId: string) =>
    ((await row(connectionId)).history as { message: string }[]).map((e) => e.message).join("\n");
  const aRecord = async (connectionId: string) => {
    const record = (await row(connectionId)).dnsRecords[0] as { zone: string; name: string };
    return (await stack().arm("GET", stack().aRecordPath(record.zone, record.name))).status;
  };
  return { advance, request, row, history, aRecord };
}

describe("stale connections (retention off)", () => {
  let stack: E2eStack;
  const { advance, request, row, history, aRecord } = helpers(() => stack);

  beforeAll(async () => {
    stack = await startE2eStack({ manualClockStart: Date.now(), settings: { POLICY_SOURCE: STALE_POLICY } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let expiredConnectionId = "";

  it("rejects a Pending request past its maximum age, saying why and how to ask again, and ends its review", async () => {
    const pe = await request("stale-old-request", "please have a look");
    expiredConnectionId = pe.connectionId;
    const waiting = await stack.waitForConnection(pe.connectionId, ["awaiting-approval"]);
    await waitForApprovers(stack, waiting.instanceId);
    await advance(DAY);
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Pending");

    await advance(DAY + 60_000);
    const done = await stack.waitForConnection(pe.connectionId, ["rejected", "approved", "failed"]);
    expect(done).toMatchObject({ state: "rejected", decidedBy: "policy:default" });
    const onAzure = await armConnection(stack, pe.connectionId);
    expect(onAzure.status).toBe("Rejected");
    expect(onAzure.description).toMatch(/no decision within P2D.*to ask again/i);
    expect(await history(pe.connectionId)).toMatch(/reject \(expired\): Pending longer than the maximum age P2D/);
  });

  it("ends a time-bound approval: tells the approvers and the tenant, then rejects it and removes its A record", async () => {
    const pe = await request("stale-lease", "lease for the quarter-end reports");
    await stack.waitForConnection(pe.connectionId, ["approved"]);
    await until(async () => ((await row(pe.connectionId)).validUntil ? true : undefined), "validUntil");
    expect(await aRecord(pe.connectionId)).toBe(200);

    await advance(6 * DAY + 60_000);
    const notices = await until(() => {
      const sent = inboxFor(stack, "stale-lease").filter((i) => String(i.subject).startsWith("Ending soon"));
      return sent.length > 0 ? sent : undefined;
    }, "the notice before the end");
    expect(JSON.stringify(notices)).toMatch(/renew/);
    expect(notices.filter((n) => n.kind === "email").flatMap((n) => n.to)).toEqual(
      expect.arrayContaining(["netops@contoso.example", "fabrikam-owner@example.com"]),
    );
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Approved");

    await advance(2 * DAY);
    const ended = await stack.waitForConnection(pe.connectionId, ["removed"]);
    expect(ended).toMatchObject({ azureStatus: "Rejected" });
    const onAzure = await armConnection(stack, pe.connectionId);
    expect(onAzure.status).toBe("Rejected");
    expect(onAzure.description).toMatch(/approval ended on .* To ask again/);
    expect(await aRecord(pe.connectionId)).toBe(404);
  });

  it("keeps a renewed approval (CLI renew as an Approver) past its first end", async () => {
    const pe = await request("stale-renewed", "lease for the migration");
    await stack.waitForConnection(pe.connectionId, ["approved"]);
    const first = await until(async () => (await row(pe.connectionId)).validUntil as string | undefined, "validUntil");

    await advance(7 * DAY);
    const cookie = await signIn(stack.devhost.url, { name: "netops@contoso.example", roles: ["Approver"] });
    let out = "";
    const code = await main(["renew", pe.connectionId, "--reason", "migration runs late", "--url", stack.devhost.url], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
      readText: async () => "",
      now: () => new Date().toISOString(),
      env: { AUTOPILOT_COOKIE: cookie },
    });
    expect(code, out).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ renewedBy: "netops@contoso.example", previousValidUntil: first });
    const renewed = await until(async () => {
      const until = (await row(pe.connectionId)).validUntil as string;
      return until !== first ? until : undefined;
    }, "the new period");
    expect(Date.parse(renewed)).toBeGreaterThan(Date.parse(first));

    await advance(2 * DAY);
    expect((await row(pe.connectionId)).state).toBe("approved");
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Approved");
    expect(await aRecord(pe.connectionId)).toBe(200);
    expect(await history(pe.connectionId)).toMatch(
      /Approval renewed by netops@contoso.example until .*migration runs late/,
    );
    // The route itself: a person with the Approver role only, and only while an approval is held.
    const seen: SeenResponse[] = [];
    const call = operatorClient(stack.devhost.url, seen);
    const renewRoute = (connectionId: string) => `/connections/${encodeKey(connectionId)}/renew`;
    expect((await call("POST", renewRoute(pe.connectionId), { body: {} })).status).toBe(401);
    const reader = await signIn(stack.devhost.url, { name: "reader@contoso.example", roles: ["Reader"] });
    expect((await call("POST", renewRoute(pe.connectionId), { cookie: reader, body: {} })).status).toBe(403);
    const notHeld = await call("POST", renewRoute(expiredConnectionId), { cookie, body: {} });
    expect(notHeld.status).toBe(409);
    expect(notHeld.body.error.code).toBe("NOT_TIME_BOUND");
    expect((await call("POST", renewRoute(pe.connectionId), { cookie, body: { reason: 42 } })).status).toBe(400);
    expect((await call("POST", renewRoute(pe.connectionId), { cookie, body: { reason: "again" } })).status).toBe(202);
    expect(seen.flatMap(openApiProblems)).toEqual([]);
  });

  it("deletes nothing for retention while RETENTION_PERIOD is off", async () => {
    const pe = await request("stale-kept-rejected", "refuse this one");
    await stack.waitForConnection(pe.connectionId, ["rejected"]);
    await advance(400 * DAY);
    await stack.fireTimer("retention");
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Rejected");
    expect((await row(pe.connectionId)).deletedAt).toBeUndefined();
  });
});

describe("retention (RETENTION_PERIOD on)", () => {
  let stack: E2eStack;
  const { advance, request, row, history } = helpers(() => stack);

  beforeAll(async () => {
    stack = await startE2eStack({
      manualClockStart: Date.now(),
      settings: { POLICY_SOURCE: STALE_POLICY, RETENTION_PERIOD: "P30D" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("deletes a Rejected connection older than the period on the provider side, and keeps a recent one", async () => {
    const old = await request("retention-old", "refuse the old one");
    await stack.waitForConnection(old.connectionId, ["rejected"]);
    await advance(31 * DAY);
    const recent = await request("retention-recent", "refuse the new one");
    await stack.waitForConnection(recent.connectionId, ["rejected"]);

    await stack.fireTimer("retention");
    await until(async () => ((await row(old.connectionId)).deletedAt ? true : undefined), "the deletion");
    const version = "2024-08-01";
    expect((await stack.arm("GET", `${old.connectionId}?api-version=${version}`)).status).toBe(404);
    expect((await row(old.connectionId)).state).toBe("removed");
    expect(await history(old.connectionId)).toMatch(
      /Deleted the Rejected connection: older than the retention period P30D/,
    );
    expect((await armConnection(stack, recent.connectionId)).status).toBe("Rejected");
    expect((await row(recent.connectionId)).deletedAt).toBeUndefined();
  });
});
