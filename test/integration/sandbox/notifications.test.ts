import { EmailClient } from "@azure/communication-email";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caFetch, startTestSandbox, type TestSandbox } from "./sandbox-test-harness";

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => t?.stop());

const card = {
  type: "message",
  attachments: [
    {
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        type: "AdaptiveCard",
        version: "1.4",
        body: [{ type: "TextBlock", text: "Approve <orders-pe>?" }],
        actions: [{ type: "Action.OpenUrl", title: "Review", url: "https://plautopilot.example.net/api/approvals/x" }],
      },
    },
  ],
};

describe("sandbox notifications: ACS email and the Teams Workflows webhook", () => {
  it("accepts an HMAC-signed send from the real EmailClient, completes the operation and keeps the mail", async () => {
    const client = new EmailClient(t.sandbox.acsConnectionString, { tlsOptions: { ca: t.sandbox.caPem } });
    const poller = await client.beginSend(
      {
        senderAddress: "DoNotReply@contoso.example",
        recipients: { to: [{ address: "netops@contoso.example" }] },
        content: { subject: "Approval needed: orders-pe", plainText: "Open <the link> to decide." },
      },
      { updateIntervalInMs: 10 },
    );
    const result = await poller.pollUntilDone();
    expect(result.status).toBe("Succeeded");
    const mail = t.sandbox.inbox().find((i) => i.subject === "Approval needed: orders-pe");
    expect(mail).toMatchObject({ kind: "email", to: ["netops@contoso.example"], from: "DoNotReply@contoso.example" });
  });

  it("accepts the managed identity's Entra token, and sends a repeated Operation-Id only once", async () => {
    const client = new EmailClient(t.sandbox.acsEndpoint, t.credential, { tlsOptions: { ca: t.sandbox.caPem } });
    const message = {
      senderAddress: "DoNotReply@contoso.example",
      recipients: { to: [{ address: "netops@contoso.example" }] },
      content: { subject: "Entra-signed approval", plainText: "x" },
    };
    const operationId = "8540c0de-899f-5cce-acb5-3ec493af3800";
    for (let i = 0; i < 2; i++) {
      const poller = await client.beginSend(message, { operationId, updateIntervalInMs: 10 });
      expect((await poller.pollUntilDone()).id).toBe(operationId);
    }
    expect(t.sandbox.inbox().filter((i) => i.subject === "Entra-signed approval")).toHaveLength(1);
  });

  it("refuses an Entra token for another audience (ARM's)", async () => {
    const token = await t.credential.getToken("https://management.azure.com/.default");
    const res = await caFetch(t.sandbox, "/emails:send?api-version=2025-09-01", "POST", "{}", {
      authorization: `Bearer ${token.token}`,
    });
    expect(res.status).toBe(401);
  });

  it("fails the Teams webhook or ACS on demand (faults with a target), and leaves ARM alone", async () => {
    const url = new URL(t.sandbox.teamsWebhookUrl);
    expect((await t.control("POST", "/_sandbox/faults", { target: "teams", rate5xx: 1 })).status).toBe(200);
    try {
      const down = await caFetch(t.sandbox, url.pathname + url.search, "POST", JSON.stringify(card));
      expect([500, 503]).toContain(down.status);
      expect((await t.control("GET", "/_sandbox/estate")).status).toBe(200);
    } finally {
      await t.control("DELETE", "/_sandbox/faults");
    }
    expect((await t.control("POST", "/_sandbox/faults", { target: "pager" })).status).toBe(400);
  });

  it("refuses a send signed with another key", async () => {
    const wrongKey = Buffer.alloc(32, 7).toString("base64");
    const forged = t.sandbox.acsConnectionString.replace(/accesskey=.*$/, `accesskey=${wrongKey}`);
    const client = new EmailClient(forged, { tlsOptions: { ca: t.sandbox.caPem }, retryOptions: { maxRetries: 0 } });
    await expect(
      client.beginSend({
        senderAddress: "DoNotReply@contoso.example",
        recipients: { to: [{ address: "netops@contoso.example" }] },
        content: { subject: "forged", plainText: "x" },
      }),
    ).rejects.toMatchObject({ statusCode: 401 });
    expect(t.sandbox.inbox().some((i) => i.subject === "forged")).toBe(false);
  });

  it("accepts an Adaptive Card envelope, refuses an old connector payload and a missing signature", async () => {
    const url = new URL(t.sandbox.teamsWebhookUrl);
    const ok = await caFetch(t.sandbox, url.pathname + url.search, "POST", JSON.stringify(card));
    expect(ok.status).toBe(202);
    const old = await caFetch(t.sandbox, url.pathname + url.search, "POST", JSON.stringify({ text: "Approve?" }));
    expect(old.status).toBe(400);
    expect(JSON.parse(old.text).error.code).toBe("InvalidTeamsPayload");
    const unsigned = await caFetch(t.sandbox, url.pathname, "POST", JSON.stringify(card));
    expect(unsigned.status).toBe(401);
    const garbage = await caFetch(t.sandbox, url.pathname + url.search, "POST", "{not json");
    expect(garbage.status).toBe(400);
  });

  it("answers a malformed percent-escape in the hook id with a 404, not a crash", async () => {
    const res = await caFetch(t.sandbox, "/_sandbox/teams/%E0%A4%A?sig=x", "POST", JSON.stringify(card));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error.code).toBe("WorkflowNotFound");
  });

  it("shows the inbox as JSON and as escaped HTML", async () => {
    const json = await t.control<{ items: { kind: string }[] }>("GET", "/_sandbox/inbox");
    expect(json.body.items.map((i) => i.kind)).toEqual(expect.arrayContaining(["email", "teams"]));
    const html = await caFetch(t.sandbox, "/_sandbox/inbox.html");
    expect(html.headers["content-type"]).toContain("text/html");
    expect(html.text).toContain("Approve &lt;orders-pe&gt;?");
    expect(html.text).not.toContain("<orders-pe>");
  });
});
