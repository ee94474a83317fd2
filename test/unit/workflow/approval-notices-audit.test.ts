import { describe, expect, it } from "vitest";
import type { PolicyDecision } from "../../../src/domain/policy";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { plainLinks, RecordingChannel } from "../../../src/ports/notifier.in-memory";
import type { ApprovalLinks } from "../../../src/ports/notifier.port";
import { resolveApprovers, sendApprovalNotice, type ApprovalNoticePorts } from "../../../src/workflow/approval-notices";
import type { RequestApprovalInput } from "../../../src/workflow/contracts";
import { aTenant } from "../../support/builders";
import { aRequest } from "../domain/request-mother";

// What a notice says and to whom, and what the audit trail records of each channel's outcome: the operator's
// record of who was asked, how, and why nobody was.

const review = (approvers: string[], onDeadline: "approve" | "reject" = "approve") => ({
  approvers,
  deadline: "PT48H",
  reminders: [],
  onDeadline,
});
const decision = (extra: Partial<PolicyDecision> = {}): PolicyDecision => ({
  verdict: "review",
  ruleId: "default",
  reason: "Unknown tenant.",
  policyVersion: "v7",
  trace: [],
  review: review(["ops@contoso.example"]),
  ...extra,
});

const CONN = aRequest().connectionId;

function setup(options: { channels?: ("teams" | "email")[]; defaults?: string[]; links?: ApprovalLinks } = {}) {
  const teams = new RecordingChannel("teams");
  const email = new RecordingChannel("email");
  const bookkeeping = new InMemoryBookkeeping();
  const ports: ApprovalNoticePorts = {
    channels: [teams, email],
    links: options.links ?? plainLinks,
    defaultApprovers: options.defaults ?? ["netops@contoso.example"],
    defaultChannels: options.channels ?? ["teams", "email"],
  };
  const input: RequestApprovalInput = {
    instanceId: "review-1",
    request: aRequest(),
    decision: decision(),
    deadline: "2026-01-03T09:00:00.000Z",
    kind: "request",
    sequence: 0,
    at: "2026-01-01T09:00:00.000Z",
  };
  const send = (over: Partial<RequestApprovalInput> = {}) =>
    sendApprovalNotice(ports, bookkeeping, { ...input, ...over });
  const audit = async () =>
    (await bookkeeping.listAudit(CONN, 200)).map(({ stepId, kind, actor, message, data }) => ({
      stepId,
      kind,
      actor,
      message,
      data,
    }));
  return { teams, email, bookkeeping, send, audit, input };
}

describe("who is asked", () => {
  const input = setup().input;
  const tenant = aTenant({ approvers: ["owner@fabrikam.example"] });

  it("without a review in the decision, the tenant's approvers", () => {
    const { review: _none, ...noReview } = decision();
    expect(resolveApprovers({ ...input, decision: noReview, tenant }, ["netops@contoso.example"])).toEqual([
      "owner@fabrikam.example",
    ]);
  });

  it("for an approval about to end: the rule's approvers, the app's and the tenant's, each once", () => {
    const both = decision({ review: review(["ops@contoso.example", "owner@fabrikam.example"]) });
    expect(
      resolveApprovers({ ...input, kind: "expiring", decision: both, tenant }, ["netops@contoso.example"]),
    ).toEqual(["ops@contoso.example", "owner@fabrikam.example", "netops@contoso.example"]);
  });

  it("named recipients, trimmed, without blanks, each once whatever its case", () => {
    expect(
      resolveApprovers({ ...input, recipients: [" Lead@Contoso.example ", "", "lead@contoso.EXAMPLE", "b@x"] }, []),
    ).toEqual(["Lead@Contoso.example", "b@x"]);
  });
});

describe("the notice", () => {
  it("carries the tenant, the policy's reason, the deadline's outcome, and a key per notice and channel", async () => {
    const s = setup();
    const tenant = aTenant({ displayName: "Fabrikam", teamsWebhookUrl: "https://hooks.fabrikam.example/x" });
    await s.send({ tenant, sequence: 2 });
    expect(s.teams.sent).toEqual([
      {
        notice: expect.objectContaining({
          kind: "request",
          idempotencyKey: "review-1:notice-request-2-teams",
          tenantName: "Fabrikam",
          policy: { ruleId: "default", reason: "Unknown tenant.", version: "v7" },
          deadline: "2026-01-03T09:00:00.000Z",
          onDeadline: "approve",
        }),
        target: { teamsWebhookUrl: "https://hooks.fabrikam.example/x" },
      },
    ]);
    expect(s.email.sent[0]?.notice.idempotencyKey).toBe("review-1:notice-request-2-email");
    expect(s.email.sent[0]?.target).toEqual({ teamsWebhookUrl: "https://hooks.fabrikam.example/x" });
  });

  it("names no tenant for an unknown one, and rejects at the deadline when the decision says nothing", async () => {
    const s = setup();
    const { review: _none, ...noReview } = decision();
    await s.send({ decision: noReview });
    const notice = s.teams.sent[0]!.notice;
    expect(notice.onDeadline).toBe("reject");
    expect(Object.keys(notice)).not.toContain("tenantName");
    expect(s.teams.sent[0]!.target).toEqual({});
  });

  it("gives each approver a link of its own for each notice, and none for an approval about to end", async () => {
    const nonces: string[] = [];
    const links: ApprovalLinks = {
      async linkFor(input) {
        nonces.push(input.nonce);
        return plainLinks.linkFor(input);
      },
    };
    const s = setup({ links, channels: ["teams"] });
    const two = decision({ review: review(["a@contoso.example", "b@contoso.example"]) });
    await s.send({ decision: two });
    await s.send({ decision: two, kind: "reminder", sequence: 1 });
    await s.send({ decision: two, kind: "reminder", sequence: 2 });
    await s.send({ decision: two, kind: "reminder", sequence: 2, at: "2026-01-02T09:00:00.000Z" });
    expect(nonces).toHaveLength(8);
    expect(new Set(nonces).size).toBe(8);

    await s.send({ decision: two, kind: "expiring", sequence: 3 });
    expect(nonces).toHaveLength(8);
    expect(s.teams.sent.at(-1)?.notice.links).toEqual([
      { approver: "a@contoso.example" },
      { approver: "b@contoso.example" },
      { approver: "netops@contoso.example" },
    ]);
  });
});

describe("the audit of each channel", () => {
  it("records each send on the autopilot's account, with the channel, outcome and approvers", async () => {
    const s = setup({ channels: ["teams"] });
    expect(await s.send()).toEqual({ approvers: ["ops@contoso.example"], delivered: true });
    expect(s.email.sent).toEqual([]); // delivered: no fallback
    expect(await s.audit()).toEqual([
      {
        stepId: "review-1:notice-request-0-teams-sent",
        kind: "decision",
        actor: "autopilot",
        message: "Approval request sent by teams to ops@contoso.example; deadline 2026-01-03T09:00:00.000Z.",
        data: { notice: "request", channel: "teams", outcome: "sent", approvers: ["ops@contoso.example"] },
      },
    ]);
    // Run again (the activity retried): nothing sent or recorded again.
    expect(await s.send()).toEqual({ approvers: ["ops@contoso.example"], delivered: true });
    expect(s.teams.sent).toHaveLength(1);
    expect(await s.audit()).toHaveLength(1);
  });

  it("records a failure as an error, cut to a readable length, and falls back only to the other channel", async () => {
    const s = setup({ channels: ["teams"] });
    let teamsTries = 0;
    s.teams.send = async () => {
      teamsTries += 1;
      throw new Error(`teams is down: ${"x".repeat(2_000)}`);
    };
    expect((await s.send()).delivered).toBe(true);
    expect(teamsTries).toBe(1); // the fallback is email alone, not teams again
    const entries = await s.audit();
    expect(entries.map((e) => [e.stepId, e.kind])).toEqual([
      ["review-1:notice-request-0-teams-failed", "error"],
      ["review-1:notice-request-0-email-sent", "decision"],
    ]);
    expect(entries[0]!.message).toHaveLength(1000);
    expect(entries[0]!.message).toMatch(/^Approval request by teams failed after retries: teams is down: x+$/);
    expect(entries[0]!.data).toMatchObject({ channel: "teams", outcome: "failed" });
    expect(entries[1]!.message).toMatch(/^Approval request sent by fallback email to /);
  });

  it("records an unconfigured channel as skipped", async () => {
    const teams = new RecordingChannel("teams", false);
    const bookkeeping = new InMemoryBookkeeping();
    const s = setup();
    await sendApprovalNotice(
      { channels: [teams], links: plainLinks, defaultApprovers: [], defaultChannels: ["teams"] },
      bookkeeping,
      s.input,
    );
    const entries = await bookkeeping.listAudit(CONN);
    expect(entries[0]).toMatchObject({
      stepId: "review-1:notice-request-0-teams-skipped",
      kind: "decision",
      message: "Approval request not sent by teams: the channel is not configured.",
      data: { outcome: "skipped" },
    });
  });

  it("with nobody to ask, sends nothing, and says so for each channel and once for the notice", async () => {
    const s = setup({ defaults: [] });
    const { review: _none, ...noReview } = decision();
    expect(await s.send({ decision: noReview })).toEqual({ approvers: [], delivered: false });
    expect(s.teams.sent).toEqual([]);
    expect(s.email.sent).toEqual([]);
    expect((await s.audit()).map(({ stepId, kind, actor, message }) => ({ stepId, kind, actor, message }))).toEqual([
      {
        stepId: "review-1:notice-request-0-teams-skipped",
        kind: "decision",
        actor: "autopilot",
        message: "Approval request not sent by teams: nobody is configured to approve.",
      },
      {
        stepId: "review-1:notice-request-0-email-skipped",
        kind: "decision",
        actor: "autopilot",
        message: "Approval request not sent by email: nobody is configured to approve.",
      },
      {
        stepId: "review-1:notice-request-0-undelivered",
        kind: "error",
        actor: "autopilot",
        message:
          "Nobody could be asked (request); the review still waits for a decision through the API or its deadline.",
      },
    ]);
  });
});
