import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKey } from "../../src/domain/arm-id";
import {
  APPROVER,
  armConnection,
  EVERYONE_REVIEWS,
  inboxFor,
  LEAD,
  reviewNeedingAPerson,
  waitForApprovers,
} from "../support/approval-flow";
import { until } from "../support/until";
import { signIn } from "../support/easy-auth";
import { repoRoot, startE2eStack, type E2eStack } from "./e2e-stack";

const HOUR = 3_600_000;

/**
 * Time is the devhost's manual clock: the review's reminders, escalation and deadline fire when the test moves it.
 * Fabrikam is asked by Teams only and Northwind by email only (their tenant records), so a fallback shows.
 */
describe("human approval when nobody answers, and when a channel is down", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({
      manualClockStart: Date.now(),
      settings: {
        POLICY_SOURCE: EVERYONE_REVIEWS,
        TENANTS_IMPORT_FILE: path.join(repoRoot, "test", "fixtures", "approval", "tenants-one-channel.json"),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const advance = (ms: number) => stack.advanceTime(ms);
  const history = async (connectionId: string): Promise<string> => {
    const row = await stack.api("GET", `/connections/${encodeKey(connectionId)}`);
    return row.body.history.map((e: { message: string }) => e.message).join("\n");
  };
  const cards = (name: string) => inboxFor(stack, name, "teams").map((c) => String(c.subject));
  const faults = (body?: unknown) => stack.sandboxCall(body ? "POST" : "DELETE", "/_sandbox/faults", body);

  it("reminds, escalates to the rule's contact, then applies onDeadline (reject) through ARM", async () => {
    const pe = await reviewNeedingAPerson(stack, "e2e-silent");
    expect(cards("e2e-silent")).toEqual(["Private endpoint connection waiting for approval"]);
    expect(inboxFor(stack, "e2e-silent", "email")).toEqual([]); // Fabrikam: Teams only

    await advance(24 * HOUR + 60_000);
    await until(() => (cards("e2e-silent").length === 2 ? true : undefined), "the reminder");
    expect(cards("e2e-silent")[1]).toMatch(/^Reminder:/);

    await advance(24 * HOUR);
    await until(() => (cards("e2e-silent").length === 3 ? true : undefined), "the escalation");
    expect(cards("e2e-silent")[2]).toMatch(/^Escalated:/);
    const escalation = inboxFor(stack, "e2e-silent", "teams")[2]!.card!;
    expect((escalation.actions as { title: string }[]).map((a) => a.title)).toEqual([`Review as ${LEAD}`]);
    const row = await stack.api("GET", `/connections/${encodeKey(pe.connectionId)}`);
    expect(await waitForApprovers(stack, row.body.instanceId)).toContain(LEAD);
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Pending");

    await advance(24 * HOUR);
    const done = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(done).toMatchObject({ state: "rejected", decidedBy: "policy:default" });
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Rejected");
    const log = await history(pe.connectionId);
    expect(log).toMatch(/Approval request sent by teams to approver@contoso\.example, second@contoso\.example/);
    expect(log).toMatch(/Approval reminder sent by teams/);
    expect(log).toMatch(/Approval escalation sent by teams to lead@contoso\.example/);
    expect(log).toMatch(/onDeadline says reject/);

    // The lead's link still opens, after the deadline, on what happened; there is nothing left to decide.
    const leadLink = (escalation.actions as { url: string }[])[0]!.url;
    const cookie = await signIn(stack.devhost.url, { name: LEAD, roles: ["Approver"] });
    const late = await fetch(leadLink, { headers: { cookie } });
    expect(late.status).toBe(409);
    const text = await late.text();
    expect(text).toContain("This review has ended");
    expect(text).toContain("policy:default");
  });

  it("Teams failing falls back to email, and both are recorded", async () => {
    await faults({ target: "teams", rate5xx: 1, seed: 3 });
    try {
      const pe = await reviewNeedingAPerson(stack, "e2e-teams-down");
      const mail = inboxFor(stack, "e2e-teams-down", "email");
      expect(mail.map((m) => m.to[0]).sort()).toEqual([APPROVER, "second@contoso.example"]);
      expect(cards("e2e-teams-down")).toEqual([]);
      const log = await history(pe.connectionId);
      expect(log).toMatch(/Approval request by teams failed after retries: the Teams webhook answered 5\d\d/);
      expect(log).toMatch(/Approval request sent by fallback email/);
    } finally {
      await faults();
    }
  });

  it("ACS failing falls back to Teams, and both are recorded", async () => {
    await faults({ target: "email", rate5xx: 1, seed: 4 });
    try {
      const pe = await reviewNeedingAPerson(stack, "e2e-acs-down", "northwind");
      expect(cards("e2e-acs-down")).toEqual(["Private endpoint connection waiting for approval"]);
      expect(inboxFor(stack, "e2e-acs-down", "email")).toEqual([]);
      const log = await history(pe.connectionId);
      expect(log).toMatch(/Approval request by email failed after retries/);
      expect(log).toMatch(/Approval request sent by fallback teams/);
      expect(JSON.stringify(inboxFor(stack, "e2e-acs-down", "teams")[0]!.card)).toContain("Northwind Traders");
    } finally {
      await faults();
    }
  });
});
