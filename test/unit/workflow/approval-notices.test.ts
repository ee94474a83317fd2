import { describe, expect, it } from "vitest";
import type { PolicyDecision } from "../../../src/domain/policy";
import { InMemoryBookkeeping } from "../../../src/ports/bookkeeping.in-memory";
import { plainLinks, RecordingChannel } from "../../../src/ports/notifier.in-memory";
import { sendApprovalNotice, type ApprovalNoticePorts } from "../../../src/workflow/approval-notices";
import type { RequestApprovalInput } from "../../../src/workflow/contracts";
import { aTenant } from "../../support/builders";
import { aRequest } from "../domain/request-mother";

const decision = (approvers: string[]): PolicyDecision => ({
  verdict: "review",
  ruleId: "default",
  reason: "Unknown tenant.",
  policyVersion: "v1",
  trace: [],
  review: { approvers, deadline: "PT48H", reminders: [], onDeadline: "reject" },
});

function setup(options: { channels?: ("teams" | "email")[]; approvers?: string[]; defaults?: string[] } = {}) {
  const teams = new RecordingChannel("teams");
  const email = new RecordingChannel("email");
  const bookkeeping = new InMemoryBookkeeping();
  const ports: ApprovalNoticePorts = {
    channels: [teams, email],
    links: plainLinks,
    defaultApprovers: options.defaults ?? ["netops@contoso.example"],
    defaultChannels: options.channels ?? ["teams", "email"],
  };
  const input: RequestApprovalInput = {
    instanceId: "review-1",
    request: aRequest(),
    decision: decision(options.approvers ?? ["ops@contoso.example"]),
    deadline: "2026-01-03T09:00:00.000Z",
    kind: "request",
    sequence: 0,
    at: "2026-01-01T09:00:00.000Z",
  };
  const send = (over: Partial<RequestApprovalInput> = {}) =>
    sendApprovalNotice(ports, bookkeeping, { ...input, ...over });
  const messages = async () => (await bookkeeping.listAudit(input.request.connectionId)).map((e) => e.message);
  return { teams, email, bookkeeping, send, messages };
}

describe("asking approvers (the request-approval activity)", () => {
  it("asks the rule's approvers on every configured channel, with one personal link each, and records each send", async () => {
    const s = setup({ approvers: ["a@contoso.example", "b@contoso.example"] });
    expect(await s.send()).toEqual({ approvers: ["a@contoso.example", "b@contoso.example"], delivered: true });
    expect(s.teams.sent).toHaveLength(1);
    expect(s.email.sent).toHaveLength(1);
    const links = s.teams.sent[0]!.notice.links;
    expect(links.map((l) => l.approver)).toEqual(["a@contoso.example", "b@contoso.example"]);
    expect(new Set(links.map((l) => l.url)).size).toBe(2);
    expect(await s.messages()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Approval request sent by teams to a@contoso.example, b@contoso.example/),
        expect.stringMatching(/^Approval request sent by email/),
      ]),
    );
  });

  it("falls back from the rule to the tenant's approvers, then to APPROVERS", async () => {
    const s = setup({ approvers: [], defaults: ["netops@contoso.example"] });
    const tenant = aTenant({ approvers: ["owner@fabrikam.example"] });
    expect((await s.send({ tenant })).approvers).toEqual(["owner@fabrikam.example"]);
    expect((await s.send({ sequence: 1 })).approvers).toEqual(["netops@contoso.example"]);
  });

  it("sends nothing twice when the activity runs twice with the same input", async () => {
    const s = setup();
    await s.send();
    await s.send();
    expect(s.teams.sent).toHaveLength(1);
    expect(s.email.sent).toHaveLength(1);
  });

  it("Teams down: falls back to email and records the failure; ACS down: falls back to Teams", async () => {
    const a = setup({ channels: ["teams"] });
    a.teams.failing = true;
    expect((await a.send()).delivered).toBe(true);
    expect(a.email.sent).toHaveLength(1);
    expect(await a.messages()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Approval request by teams failed after retries: teams is down/),
        expect.stringMatching(/^Approval request sent by fallback email/),
      ]),
    );
    const b = setup({ channels: ["email"] });
    b.email.failing = true;
    await b.send();
    expect(b.teams.sent).toHaveLength(1);
  });

  it("never throws when every channel is down: it records that nobody could be asked", async () => {
    const s = setup();
    s.teams.failing = true;
    s.email.failing = true;
    expect(await s.send()).toMatchObject({ delivered: false });
    expect((await s.messages()).some((m) => m.startsWith("Nobody could be asked"))).toBe(true);
  });

  it("uses the tenant's own channels and records an unconfigured channel as skipped", async () => {
    const teams = new RecordingChannel("teams", false);
    const email = new RecordingChannel("email");
    const bookkeeping = new InMemoryBookkeeping();
    const ports: ApprovalNoticePorts = {
      channels: [teams, email],
      links: plainLinks,
      defaultApprovers: [],
      defaultChannels: ["email"],
    };
    const tenant = aTenant({ approvalChannels: ["teams"] });
    const result = await sendApprovalNotice(ports, bookkeeping, {
      instanceId: "review-2",
      request: aRequest(),
      decision: decision(["ops@contoso.example"]),
      tenant,
      deadline: "2026-01-03T09:00:00.000Z",
      kind: "escalation",
      recipients: ["lead@contoso.example"],
      sequence: 3,
      at: "2026-01-02T09:00:00.000Z",
    });
    expect(result).toEqual({ approvers: ["lead@contoso.example"], delivered: true });
    const messages = (await bookkeeping.listAudit(aRequest().connectionId)).map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        "Approval escalation not sent by teams: the channel is not configured.",
        expect.stringMatching(/^Approval escalation sent by fallback email to lead@contoso.example/),
      ]),
    );
  });
});
