import { describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "../../../src/ports/errors";
import { connectionReviewOrchestration } from "../../../src/workflow/connection-review.orchestration";
import type { ReviewInput, ReviewOutcome } from "../../../src/workflow/contracts";
import { APPROVAL_EVENT } from "../../../src/workflow/names";
import { anArmConnection, aTenant, anEndpoint } from "../../support/builders";
import { replay, runOrchestration, type DriverOptions } from "../../support/orchestration-driver";
import { reviewHarness } from "../../support/review-harness";

const HOUR = 3_600_000;
const connection = anArmConnection();
const input: ReviewInput = {
  connectionId: connection.connectionId,
  source: "event-grid",
  observedAt: "2026-01-01T08:59:00.000Z",
  eventId: "evt-1",
};

async function run(
  h: ReturnType<typeof reviewHarness>,
  extra: Partial<DriverOptions> = {},
): Promise<Awaited<ReturnType<typeof runOrchestration<ReviewOutcome>>> & { options: DriverOptions }> {
  const options: DriverOptions = { instanceId: "review-1", input, activities: h.activities, ...extra };
  const result = await runOrchestration(connectionReviewOrchestration, options);
  if (result.error) throw result.error;
  // Every run must replay to the same actions from its own history.
  expect(replay(connectionReviewOrchestration, options, result.history)).toEqual(result.output);
  return { ...result, options };
}

function knownTenantEstate() {
  const h = reviewHarness();
  h.gateway.addConnection(connection);
  h.gateway.addEndpoint(anEndpoint());
  void h.bookkeeping.upsertTenant(aTenant());
  return h;
}

describe("connection-review orchestration", () => {
  it("approves a known tenant: ARM write with the rule and policy version, DNS, bookkeeping, audit", async () => {
    const h = knownTenantEstate();
    const result = await run(h);

    expect(result.output).toMatchObject({ state: "approved", verdict: "approve", ruleId: "known-tenant" });
    expect(h.gateway.writes).toHaveLength(1);
    const write = h.gateway.writes[0]!;
    expect(write.status).toBe("Approved");
    const version = (await h.policy.load()).version;
    expect(write.description).toBe(`Approved by rule known-tenant (policy ${version})`);

    const record = [...h.dns.records.values()];
    expect(record).toEqual([
      expect.objectContaining({
        zone: "privatelink.services.contoso.example",
        name: "contoso.pls-1",
        ipAddresses: ["10.1.0.4"],
      }),
    ]);
    const row = await h.bookkeeping.getConnection(connection.connectionId);
    expect(row).toMatchObject({
      state: "approved",
      tenantId: "contoso",
      ruleId: "known-tenant",
      policyVersion: version,
      instanceId: "review-1",
      azureStatus: "Approved",
    });
    expect(row?.dnsRecords?.[0]?.outcome).toBe("created");
    expect((await h.bookkeeping.getTenant("contoso"))?.usage).toBe(1);
    const audit = (await h.bookkeeping.listAudit(connection.connectionId)).map((e) => e.kind);
    expect(audit).toEqual(expect.arrayContaining(["signal", "decision", "arm-write", "dns", "state"]));
    expect(result.statuses.at(-1)).toMatchObject({ step: "done", state: "approved" });
    expect(result.statuses).toContainEqual({ step: "evaluating-policy" });
  });

  it("rejects a suspended tenant and writes no DNS", async () => {
    const h = knownTenantEstate();
    await h.bookkeeping.upsertTenant(aTenant({ status: "suspended" }));
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "rejected", ruleId: "tenant-suspended" });
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Rejected"]);
    expect(h.dns.records.size).toBe(0);
    expect((await h.bookkeeping.getTenant("contoso"))?.usage).toBe(0);
  });

  it("review: a person's decision wins over the deadline; the timer is cancelled", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    const result = await run(h, {
      events: [
        {
          afterMs: 2 * HOUR,
          name: APPROVAL_EVENT,
          body: { decision: "approve", approver: "alice@contoso.example", reason: "known partner" },
        },
      ],
    });
    expect(result.output).toMatchObject({ state: "approved", verdict: "review", decidedBy: "alice@contoso.example" });
    expect(h.teams.sent).toHaveLength(1);
    expect(h.teams.sent[0]?.notice).toMatchObject({ kind: "request", deadline: "2026-01-03T09:00:04.000Z" });
    expect(h.teams.sent[0]?.notice.links.map((l) => l.approver)).toEqual([
      "ops@contoso.example",
      "alice@contoso.example",
      "bob@contoso.example",
    ]);
    expect(result.timersCancelled).toBe(1);
    expect(h.gateway.writes[0]?.description).toContain("by alice@contoso.example (rule default)");
    expect(result.statuses).toContainEqual(
      expect.objectContaining({ step: "awaiting-approval", deadline: "2026-01-03T09:00:04.000Z" }),
    );
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toMatchObject({
      state: "approved",
      decidedBy: "alice@contoso.example",
    });
  });

  it("review: the deadline applies onDeadline (reject) after a reminder, without waiting in real time", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "policy:default" });
    expect(h.teams.sent.map((s) => s.notice.kind)).toEqual(["request", "reminder"]);
    expect(result.timersCreated.map((t) => t.toISOString())).toEqual([
      "2026-01-02T09:00:04.000Z",
      "2026-01-03T09:00:04.000Z",
    ]);
    expect(h.gateway.writes.map((w) => w.status)).toEqual(["Rejected"]);
    expect(result.clock.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-01-03T09:00:04.000Z"));
  });

  it("review: a malformed approval event is ignored (fail closed) and the wait goes on", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    h.gateway.addEndpoint(anEndpoint());
    const result = await run(h, {
      events: [
        { afterMs: HOUR, name: APPROVAL_EVENT, body: { decision: "yes please", approver: "mallory" } },
        { afterMs: 3 * HOUR, name: APPROVAL_EVENT, body: { decision: "reject", approver: "bob@contoso.example" } },
      ],
    });
    expect(result.output).toMatchObject({ state: "rejected", decidedBy: "bob@contoso.example" });
    const messages = (await h.bookkeeping.listAudit(connection.connectionId)).map((e) => e.message);
    expect(messages.some((m) => m.startsWith("An approval event was ignored"))).toBe(true);
  });

  it("finishes without writing when the connection was already approved by hand", async () => {
    const h = knownTenantEstate();
    h.gateway.addConnection({ ...connection, armStatus: "Approved" });
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "skipped" });
    expect(h.gateway.writes).toEqual([]);
    expect(h.teams.sent).toEqual([]);
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toMatchObject({
      state: "skipped",
      azureStatus: "Approved",
    });
  });

  it("a duplicate signal after the review changes nothing and keeps the recorded decision", async () => {
    const h = knownTenantEstate();
    await run(h);
    const second = await run(h, {
      instanceId: "review-1",
      input: { ...input, eventId: "evt-2", observedAt: "2026-01-01T10:00:00.000Z" },
      start: new Date("2026-01-01T10:00:00Z"),
    });
    expect(second.output).toMatchObject({ state: "skipped" });
    expect(h.gateway.writes).toHaveLength(1);
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toMatchObject({
      state: "approved",
      ruleId: "known-tenant",
    });
    expect((await h.bookkeeping.getTenant("contoso"))?.usage).toBe(1);
  });

  it("a deleted connection ends the review as skipped", async () => {
    const h = reviewHarness();
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "skipped", reason: "The connection does not exist in Azure." });
    // A connection ARM does not have leaves no bookkeeping behind.
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toBeUndefined();
    expect(await h.bookkeeping.listAudit(connection.connectionId)).toEqual([]);
  });

  it("retries a transient failure and then succeeds", async () => {
    const h = knownTenantEstate();
    h.gateway.failNext(
      "getConnection",
      new TransientError("ARM_THROTTLED", "429"),
      new TransientError("ARM_THROTTLED", "429"),
    );
    h.gateway.failNext("setConnectionStatus", new TransientError("ARM_UNAVAILABLE", "503"));
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "approved" });
    const read = result.activityCalls.find((c) => c.name === "review-read-connection");
    expect(read?.attempts).toBe(3);
    expect(h.gateway.writes).toHaveLength(1);
  });

  it("a permanent ARM failure ends the review as failed, with nothing approved or recorded", async () => {
    const h = knownTenantEstate();
    h.gateway.failNext(
      "getConnection",
      new PermanentError("ARM_FORBIDDEN", "The identity lacks privateEndpointConnections/read."),
    );
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "failed" });
    expect(result.output?.reason).toContain("ARM_FORBIDDEN");
    expect(result.activityCalls.find((c) => c.name === "review-read-connection")?.attempts).toBe(1);
    expect(h.gateway.writes).toEqual([]);
    // ARM did not confirm the connection, so nothing is recorded for it.
    expect(await h.bookkeeping.getConnection(connection.connectionId)).toBeUndefined();
  });

  it("transient failures that never stop exhaust the retries and approve nothing", async () => {
    const h = knownTenantEstate();
    const busy = Array.from({ length: 10 }, () => new TransientError("ARM_UNAVAILABLE", "503"));
    h.gateway.failNext("setConnectionStatus", ...busy);
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "failed" });
    expect(result.output?.reason).toContain("Stopped without approving");
    expect(h.gateway.writes).toEqual([]);
    // Policy's verdict is written by the step that read and judged it; each failed try gave its unit back.
    expect(result.activityCalls.find((c) => c.name === "review-decide")?.attempts).toBe(5);
    expect(await h.bookkeeping.quotaUsage("contoso")).toBe(0);
  });

  it("when the policy cannot load, nothing is approved", async () => {
    const h = knownTenantEstate();
    h.policy.failure = new Error("ENOENT policy/default-policy.yaml");
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "failed" });
    expect(result.output?.reason).toContain("POLICY_UNAVAILABLE");
    expect(h.gateway.writes).toEqual([]);
  });

  it("when recording the request keeps failing, nothing is approved", async () => {
    const h = knownTenantEstate();
    const original = h.bookkeeping.saveConnection.bind(h.bookkeeping);
    h.bookkeeping.saveConnection = async () => {
      throw new TransientError("STORAGE_UNAVAILABLE", "503");
    };
    const result = await run(h);
    h.bookkeeping.saveConnection = original;
    expect(result.output?.state).toBe("failed");
    expect(h.gateway.writes).toEqual([]);
  });

  it("a DNS name owned by another endpoint is a recorded conflict, never overwritten", async () => {
    const h = knownTenantEstate();
    h.dns.put({
      zone: "privatelink.services.contoso.example",
      name: "contoso.pls-1",
      ipAddresses: ["10.9.9.9"],
      ownerEndpoint: "/other",
    });
    const result = await run(h);
    expect(result.output?.state).toBe("approved");
    expect(result.output?.dnsRecords?.[0]).toMatchObject({ outcome: "conflict" });
    expect([...h.dns.records.values()][0]?.ipAddresses).toEqual(["10.9.9.9"]);
    const kinds = (await h.bookkeeping.listAudit(connection.connectionId)).filter((e) => e.kind === "dns");
    expect(kinds[0]?.message).toContain("DNS conflict");
  });

  it("an endpoint in another tenant's subscription leaves DNS to the consumer", async () => {
    const h = knownTenantEstate();
    h.gateway.addEndpoint(anEndpoint(), { forbidden: true });
    const result = await run(h);
    expect(result.output).toMatchObject({ state: "approved" });
    expect(result.output?.dnsNote).toContain("DNS is the consumer's");
    expect(h.dns.records.size).toBe(0);
  });

  it("running every activity twice gives the same end state (activities are idempotent)", async () => {
    const once = knownTenantEstate();
    await run(once);
    const twice = knownTenantEstate();
    await run(twice, { runActivitiesTwice: true });
    expect(twice.gateway.writes).toHaveLength(1);
    // The second DNS write finds its own record: "already-ours" is the idempotent twin of "created".
    const ours = (row: Awaited<ReturnType<typeof once.bookkeeping.getConnection>>) => ({
      ...row,
      dnsRecords: row?.dnsRecords?.map((r) => ({
        ...r,
        outcome: r.outcome === "already-ours" ? "created" : r.outcome,
      })),
    });
    expect(ours(await twice.bookkeeping.getConnection(connection.connectionId))).toEqual(
      ours(await once.bookkeeping.getConnection(connection.connectionId)),
    );
    expect(await twice.bookkeeping.listAudit(connection.connectionId)).toEqual(
      await once.bookkeeping.listAudit(connection.connectionId),
    );
    expect([...twice.dns.records.values()]).toEqual([...once.dns.records.values()]);
    expect((await twice.bookkeeping.getTenant("contoso"))?.usage).toBe(1);
  });

  it("the review path is idempotent too when activities run twice", async () => {
    const h = reviewHarness();
    h.gateway.addConnection(connection);
    await run(h, { runActivitiesTwice: true });
    const audit = await h.bookkeeping.listAudit(connection.connectionId);
    expect(new Set(audit.map((e) => e.stepId)).size).toBe(audit.length);
    expect(h.gateway.writes).toHaveLength(1);
  });
});
