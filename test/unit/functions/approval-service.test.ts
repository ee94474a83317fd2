import { describe, expect, it } from "vitest";
import { decide, parseDecisionBody, type ReviewControl } from "../../../src/app/approval-service";
import type { Principal } from "../../../src/app/principal";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import type { ApprovalEventBody, RenewEventBody } from "../../../src/workflow/contracts";
import { aConnectionId } from "../../support/builders";

const connectionId = aConnectionId();
const person = (name: string, roles: Principal["roles"] = ["Approver"]): Principal => ({
  id: `oid-${name}`,
  name,
  identityProvider: "aad",
  roles,
});

async function setup(
  runtimeStatus = "Running",
  step: "asking-approvers" | "awaiting-approval" | "done" = "awaiting-approval",
) {
  const bookkeeping = new InMemoryBookkeeping();
  await bookkeeping.saveConnection({
    connectionId,
    state: "awaiting-approval",
    providerResourceId: "/x",
    instanceId: "review-1",
    updatedAt: "2026-01-01T00:00:00Z",
  });
  const raised: { instanceId: string; body: ApprovalEventBody | RenewEventBody }[] = [];
  const reviews: ReviewControl = {
    status: async () => ({ runtimeStatus, customStatus: { step, approvers: ["ops@contoso.example"] } }),
    raiseEvent: async (instanceId, _name, body) => {
      raised.push({ instanceId, body });
    },
  };
  const deps = { bookkeeping, reviews, now: () => "2026-01-01T01:00:00Z" };
  return { bookkeeping, raised, deps };
}

describe("decide: the one way a person decides", () => {
  it("raises the review's event with who, how and why", async () => {
    const s = await setup();
    const result = await decide(
      { connectionId, decision: "approve", reason: " ok ", principal: person("OPS@contoso.example"), via: "api" },
      s.deps,
    );
    expect(result).toEqual({ ok: true, connectionId, decision: "approve", decidedBy: "OPS@contoso.example" });
    expect(s.raised).toEqual([
      {
        instanceId: "review-1",
        body: { decision: "approve", approver: "OPS@contoso.example", reason: "ok", via: "api" },
      },
    ]);
  });

  it("refuses nobody signed in, the API without the Approver role, and a person the review did not ask", async () => {
    const s = await setup();
    const ask = (principal: Principal | undefined) =>
      decide({ connectionId, decision: "approve", reason: "", principal, via: "api" }, s.deps);
    expect(await ask(undefined)).toMatchObject({ ok: false, status: 401, code: "NOT_SIGNED_IN" });
    expect(await ask(person("ops@contoso.example", ["Reader"]))).toMatchObject({ code: "APPROVER_ROLE_REQUIRED" });
    expect(await ask(person("eve@contoso.example"))).toMatchObject({ status: 403, code: "NOT_AN_APPROVER" });
    expect(s.raised).toEqual([]);
    const audit = await s.bookkeeping.listAudit(connectionId);
    expect(audit.map((e) => e.message)).toEqual([
      "Refused a decision from eve@contoso.example via api: not among this review's approvers.",
    ]);
  });

  it("asks to try again while the review is still asking its approvers, and records no refusal", async () => {
    const s = await setup("Running", "asking-approvers");
    const early = await decide(
      { connectionId, decision: "approve", reason: "", principal: person("ops@contoso.example"), via: "api" },
      s.deps,
    );
    expect(early).toMatchObject({ ok: false, status: 409, code: "REVIEW_NOT_READY" });
    expect(s.raised).toEqual([]);
    expect(await s.bookkeeping.listAudit(connectionId)).toEqual([]);
  });

  it("changes nothing once the review has ended, and a used link decides nothing", async () => {
    const ended = await setup("Completed", "done");
    const late = await decide(
      { connectionId, decision: "reject", reason: "", principal: person("ops@contoso.example"), via: "api" },
      ended.deps,
    );
    expect(late).toMatchObject({ status: 409, code: "REVIEW_NOT_WAITING" });
    const s = await setup();
    const used = await decide(
      {
        connectionId,
        decision: "approve",
        reason: "",
        principal: person("ops@contoso.example", []),
        via: "page",
        instanceId: "review-1",
        claim: async () => false,
      },
      s.deps,
    );
    expect(used).toMatchObject({ status: 409, code: "LINK_USED" });
    const earlierReview = await decide(
      {
        connectionId,
        decision: "approve",
        reason: "",
        principal: person("ops@contoso.example"),
        via: "page",
        instanceId: "review-0",
      },
      s.deps,
    );
    expect(earlierReview).toMatchObject({ code: "REVIEW_ENDED" });
    expect([...ended.raised, ...s.raised]).toEqual([]);
  });

  it("parses only { decision, reason }", () => {
    expect(parseDecisionBody({ decision: "approve" })).toEqual({ ok: true, decision: "approve", reason: "" });
    expect(parseDecisionBody({ decision: "yes" }).ok).toBe(false);
    expect(parseDecisionBody({ decision: "reject", reason: 5 }).ok).toBe(false);
    expect(parseDecisionBody({ decision: "reject", reason: "x".repeat(501) }).ok).toBe(false);
    expect(parseDecisionBody([]).ok).toBe(false);
  });
});
