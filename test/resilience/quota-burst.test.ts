import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateOf, startE2eStack, type E2eStack } from "../e2e/e2e-stack";
import { armStatus, FULL, report, SEED } from "./resilience-support";

/** Fabrikam's quota in the sandbox's tenant seed. */
const QUOTA = 10;
const BURST = FULL ? 20 : 14;

/**
 * A burst of concurrent requests from one tenant, with and without ARM faults: quota is reserved atomically before
 * each approving write, so at most QUOTA connections are approved and the rest wait for a person.
 */
describe("quota burst", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`${BURST} concurrent requests against a quota of ${QUOTA}, under seeded faults`, async () => {
    const estate = estateOf(stack);
    await stack.sandboxCall("POST", "/_sandbox/faults", {
      rate5xx: FULL ? 0.15 : 0.05,
      rate429: FULL ? 0.15 : 0.05,
      retryAfterSeconds: 0,
      seed: SEED,
    });
    const endpoints = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        stack.createEndpoint({
          consumer: estate.knownWatched,
          name: `burst-${i}`,
          targetResourceId: i % 2 ? estate.postgres.id : estate.pls.id,
        }),
      ),
    );
    const rows = await Promise.all(
      endpoints.map((pe) =>
        stack.waitForConnection(pe.connectionId, ["approved", "awaiting-approval", "rejected", "failed"], 120_000),
      ),
    );
    await stack.sandboxCall("DELETE", "/_sandbox/faults");

    const states = rows.map((r) => r.state as string);
    const approvedInArm = (await Promise.all(endpoints.map((pe) => armStatus(stack, pe.connectionId)))).filter(
      (s) => s === "Approved",
    ).length;
    const counts = report("quota-burst", {
      approvalsOverQuota: Math.max(0, approvedInArm - QUOTA),
      recordedApprovalsOverQuota: Math.max(0, states.filter((s) => s === "approved").length - QUOTA),
      notWithAPerson: states.filter((s) => s !== "approved" && s !== "awaiting-approval").length,
      approvedButNotRecorded: Math.max(0, approvedInArm - states.filter((s) => s === "approved").length),
    });
    expect(counts).toEqual({
      approvalsOverQuota: 0,
      recordedApprovalsOverQuota: 0,
      notWithAPerson: 0,
      approvedButNotRecorded: 0,
    });
    // The quota is used, not wasted: every unit went to a connection.
    expect(states.filter((s) => s === "approved")).toHaveLength(QUOTA);
  }, 180_000);
});
