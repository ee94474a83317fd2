import { describe, expect, it } from "vitest";
import type { ReviewControl } from "../../../src/app/approval-service";
import type { Principal } from "../../../src/app/principal";
import { renewApproval } from "../../../src/app/renew-service";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import type { ReviewProgress } from "../../../src/workflow/contracts";
import { RENEW_EVENT } from "../../../src/workflow/names";
import { aConnectionId } from "../../support/builders";

const connectionId = aConnectionId();
const ops: Principal = { id: "oid-ops", name: "ops@contoso.example", identityProvider: "aad", roles: ["Approver"] };

async function setup(step: ReviewProgress["step"], runtimeStatus = "Running") {
  const bookkeeping = new InMemoryBookkeeping();
  await bookkeeping.saveConnection({
    connectionId,
    state: "approved",
    providerResourceId: "/x",
    instanceId: "review-1",
    updatedAt: "2026-01-01T00:00:00Z",
  });
  const raised: { instanceId: string; name: string; body: unknown }[] = [];
  const reviews: ReviewControl = {
    status: async () => ({ runtimeStatus, customStatus: { step, validUntil: "2026-02-01T00:00:00.000Z" } }),
    raiseEvent: async (instanceId, name, body) => {
      raised.push({ instanceId, name, body });
    },
  };
  return { raised, deps: { bookkeeping, reviews } };
}

describe("renewing a time-bound approval", () => {
  it("raises the renewal on the review holding the approval, with who and why", async () => {
    const { raised, deps } = await setup("approved-until");
    const answer = await renewApproval(connectionId, { reason: "Still needed" }, ops, deps);
    expect(answer).toMatchObject({
      status: 202,
      jsonBody: { connectionId, renewedBy: "ops@contoso.example", previousValidUntil: "2026-02-01T00:00:00.000Z" },
    });
    expect(raised).toEqual([
      { instanceId: "review-1", name: RENEW_EVENT, body: { by: "ops@contoso.example", reason: "Still needed" } },
    ]);
  });

  it.each([
    ["a review still waiting for a decision", "awaiting-approval", "Running"],
    ["a review that has ended", "done", "Completed"],
  ] as const)("refuses %s (409) and raises nothing", async (_what, step, runtime) => {
    const { raised, deps } = await setup(step, runtime);
    const answer = await renewApproval(connectionId, {}, ops, deps);
    expect(answer).toMatchObject({ status: 409, jsonBody: { error: { code: "NOT_TIME_BOUND" } } });
    expect(raised).toEqual([]);
  });

  it("answers 404 for a connection no review recorded, and 400 for a bad reason", async () => {
    const { raised, deps } = await setup("approved-until");
    expect(await renewApproval(aConnectionId({ name: "other" }), {}, ops, deps)).toMatchObject({ status: 404 });
    expect(await renewApproval(connectionId, { reason: 42 }, ops, deps)).toMatchObject({ status: 400 });
    expect(raised).toEqual([]);
  });
});
