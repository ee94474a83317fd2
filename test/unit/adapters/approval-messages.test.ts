import { describe, expect, it } from "vitest";
import { operationId } from "../../../src/adapters/email/acs-email-channel";
import { approvalEmail } from "../../../src/adapters/email/approval-email";
import { approvalCardMessage } from "../../../src/adapters/teams/approval-card";
import type { ApprovalNotice } from "../../../src/ports/notifier.port";
import { aRequest } from "../domain/request-mother";

const notice: ApprovalNotice = {
  kind: "request",
  idempotencyKey: "review-1:notice-request-0-teams",
  request: aRequest({ requestMessage: "<b>please</b> connect" }),
  policy: { ruleId: "default", reason: "Unknown tenant.", version: "sha256:abc" },
  deadline: "2026-12-02T14:00:00.000Z",
  onDeadline: "reject",
  links: [
    { approver: "a@contoso.example", url: "https://app.example/api/approvals/t1" },
    { approver: "b@contoso.example", url: "https://app.example/api/approvals/t2" },
  ],
};

describe("approval messages", () => {
  it("Teams: an Adaptive Card 1.4 in the Workflows message envelope, one OpenUrl button per approver", () => {
    const message = approvalCardMessage(notice) as {
      type: string;
      attachments: { contentType: string; content: any }[];
    };
    expect(message.type).toBe("message");
    expect(message.attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = message.attachments[0]!.content;
    expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Review as a@contoso.example", url: "https://app.example/api/approvals/t1" },
      { type: "Action.OpenUrl", title: "Review as b@contoso.example", url: "https://app.example/api/approvals/t2" },
    ]);
    const text = JSON.stringify(card);
    expect(text).toContain("Rejected automatically on 2 Dec 2026 14:00 UTC if nobody decides.");
    expect(text).toContain("unknown tenant");
    expect(text).toContain("rule default, policy sha256:abc");
  });

  it("email: the approver's own link only, HTML escaped, and a plain-text part", () => {
    const mail = approvalEmail({ ...notice, tenantName: "Fabrikam" }, notice.links[1]!);
    expect(mail.plainText).toContain("Review and decide: https://app.example/api/approvals/t2");
    expect(mail.plainText).not.toContain("/t1");
    expect(mail.plainText).toContain("Tenant: Fabrikam");
    expect(mail.html).toContain("&#60;b&#62;please&#60;/b&#62; connect");
    expect(mail.html).not.toContain("<b>please");
  });

  it("email: the same notice and approver always map to the same ACS Operation-Id (a UUID)", () => {
    const id = operationId("k|a@contoso.example");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(operationId("k|a@contoso.example")).toBe(id);
    expect(operationId("k|b@contoso.example")).not.toBe(id);
  });
});
