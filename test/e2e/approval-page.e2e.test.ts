import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApprovalToken } from "../../src/domain/approval-token";
import { encodeKey } from "../../src/domain/arm-id";
import { signingKeyBytes } from "../../src/app/approval-links";
import { launchBrowser } from "../support/browser";
import { signIn } from "../support/easy-auth";
import {
  APPROVER,
  armConnection,
  EVERYONE_REVIEWS,
  inboxFor,
  reviewNeedingAPerson,
  SECOND_APPROVER,
  waitForLink,
} from "../support/approval-flow";
import { renderCardPreview } from "../support/card-preview";
import { estateOf, repoRoot, startE2eStack, type E2eStack } from "./e2e-stack";

/** Screenshots for the README are refreshed only on request: SCREENSHOTS=1 npx vitest run test/e2e/approval-page... */
const SHOTS = process.env.SCREENSHOTS === "1" ? path.join(repoRoot, "docs", "approval") : undefined;

describe("human approval end to end: email and Teams card, the approval page in Chromium, ARM and DNS", () => {
  let stack: E2eStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startE2eStack({ settings: { POLICY_SOURCE: EVERYONE_REVIEWS } });
    browser = await launchBrowser();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const page = (token: string, init: RequestInit = {}) =>
    fetch(`${stack.devhost.url}/api/approvals/${token}`, { redirect: "manual", ...init });
  const key = () => signingKeyBytes(stack.settings.APPROVAL_SIGNING_KEY!);
  const tokenOf = (link: string) => link.split("/").pop()!;

  it("asks by card and email; the approver opens the email's link, signs in, approves; Azure and DNS follow", async () => {
    const pe = await reviewNeedingAPerson(stack, "e2e-human-approve");
    const link = await waitForLink(stack, "e2e-human-approve", APPROVER);
    await waitForLink(stack, "e2e-human-approve", SECOND_APPROVER);
    const card = inboxFor(stack, "e2e-human-approve", "teams")[0]!.card!;
    const buttons = (card.actions as { type: string; title: string; url: string }[]).map((a) => [a.type, a.title]);
    expect(buttons).toEqual([
      ["Action.OpenUrl", `Review as ${APPROVER}`],
      ["Action.OpenUrl", `Review as ${SECOND_APPROVER}`],
    ]);
    const cardText = JSON.stringify(card);
    expect(cardText).toContain("Fabrikam");
    expect(cardText).toContain("reporting replica for the finance team");
    expect(cardText).toMatch(/Rejected automatically on \d+ \w{3} \d{4} \d\d:\d\d UTC if nobody decides/);
    expect(card.version).toBe("1.4");

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    await tab.goto(link);
    // Not signed in: App Service authentication (here its local stand-in) asks who you are, then comes back.
    expect(tab.url()).toContain("/.auth/login/local");
    await tab.fill("input[name=name]", APPROVER);
    await tab.click("button[type=submit]");
    await tab.waitForURL(link);
    await expect.poll(() => tab.textContent("h1")).toBe("Approve this private endpoint connection?");
    expect(await tab.textContent("main")).toContain("e2e-human-approve");
    if (SHOTS) {
      await tab.screenshot({ path: path.join(SHOTS, "approval-page-desktop.png"), fullPage: true });
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
      const small = await phone.newPage();
      await small.context().addCookies(await context.cookies());
      await small.goto(link);
      await small.screenshot({ path: path.join(SHOTS, "approval-page-phone.png"), fullPage: true });
      await phone.close();
      const preview = await context.newPage();
      await preview.setContent(renderCardPreview(card));
      await preview.locator("#preview").screenshot({ path: path.join(SHOTS, "teams-card.png") });
    }

    await tab.fill("textarea[name=reason]", "Finance replica, agreed in CHG0012345");
    await tab.click("button.approve");
    await expect.poll(() => tab.textContent("h1")).toBe("Decision recorded");
    expect(await tab.textContent("main")).toContain(`by ${APPROVER}`);

    const done = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(done).toMatchObject({ state: "approved", decidedBy: APPROVER });
    const onAzure = await armConnection(stack, pe.connectionId);
    expect(onAzure.status).toBe("Approved");
    expect(onAzure.description).toContain("Finance replica, agreed in CHG0012345");
    const estate = estateOf(stack);
    const record = await stack.arm(
      "GET",
      stack.aRecordPath("privatelink.postgres.database.azure.com", estate.postgres.name),
    );
    expect(record.status).toBe(200);
    const history = done.history.map((e: { message: string }) => e.message).join("\n");
    expect(history).toMatch(/approve \(event via page\)/);

    // The link is single-use: opening it again shows what was decided, by whom and when; deciding again does nothing.
    await tab.reload();
    expect(await tab.textContent("h1")).toBe("Decision recorded");
    expect(await tab.textContent("main")).toContain("This link has been used");
    await context.close();
    const cookie = await signIn(stack.devhost.url, { name: APPROVER, roles: ["Approver"] });
    const again = await page(tokenOf(link), {
      method: "POST",
      headers: { cookie, origin: stack.devhost.url, "content-type": "application/x-www-form-urlencoded" },
      body: "decision=reject&form=x",
    });
    expect(again.status).toBe(403);
    expect((await armConnection(stack, pe.connectionId)).status).toBe("Approved");
  });

  describe("refusals: each shows a clear page and changes nothing", () => {
    let pending: { connectionId: string };
    let link: string;
    let cookie: string;

    beforeAll(async () => {
      pending = await reviewNeedingAPerson(stack, "e2e-human-refusals");
      link = await waitForLink(stack, "e2e-human-refusals", APPROVER);
      cookie = await signIn(stack.devhost.url, { name: APPROVER, roles: ["Reader"] });
    });

    const unchanged = async () => {
      expect((await armConnection(stack, pending.connectionId)).status).toBe("Pending");
      const row = await stack.api("GET", `/connections/${encodeKey(pending.connectionId)}`);
      expect(row.body.state).toBe("awaiting-approval");
    };
    const post = (token: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      page(token, {
        method: "POST",
        headers: { cookie, origin: stack.devhost.url, "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form).toString(),
      });

    it("a forged token", async () => {
      const res = await page("not-a-token.at-all", { headers: { cookie } });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("This approval link is not valid");
      await unchanged();
    });

    it("a tampered token (a claim changed, the signature kept)", async () => {
      const [claims, signature] = tokenOf(link).split(".");
      const body = JSON.parse(Buffer.from(claims!, "base64url").toString("utf8"));
      const forged = Buffer.from(JSON.stringify({ ...body, approver: "mallory@contoso.example" })).toString(
        "base64url",
      );
      const res = await page(`${forged}.${signature}`, { headers: { cookie } });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("signature does not match");
      await unchanged();
    });

    it("a token signed with another key (a foreign token)", async () => {
      const claims = JSON.parse(Buffer.from(tokenOf(link).split(".")[0]!, "base64url").toString("utf8"));
      const foreign = await createApprovalToken(claims, new Uint8Array(32).fill(7));
      const res = await page(foreign, { headers: { cookie } });
      expect(res.status).toBe(400);
      await unchanged();
    });

    it("an expired token", async () => {
      const claims = JSON.parse(Buffer.from(tokenOf(link).split(".")[0]!, "base64url").toString("utf8"));
      const expired = await createApprovalToken({ ...claims, expiresAt: "2020-01-01T00:00:00Z" }, key());
      const res = await page(expired, { headers: { cookie } });
      expect(res.status).toBe(410);
      expect(await res.text()).toContain("This approval link has expired");
      await unchanged();
    });

    it("another approver's link", async () => {
      const other = await signIn(stack.devhost.url, { name: SECOND_APPROVER, roles: ["Reader"] });
      const res = await page(tokenOf(link), { headers: { cookie: other } });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("This link was sent to someone else");
      await unchanged();
    });

    it("a genuine link for someone who is not among the review's approvers, recorded in the audit", async () => {
      const claims = JSON.parse(Buffer.from(tokenOf(link).split(".")[0]!, "base64url").toString("utf8"));
      const mallory = "mallory@contoso.example";
      const token = await createApprovalToken({ ...claims, approver: mallory, nonce: "mallory-1" }, key());
      const theirs = await signIn(stack.devhost.url, { name: mallory, roles: ["Approver"] });
      const shown = await page(token, { headers: { cookie: theirs } });
      expect(shown.status).toBe(403);
      expect(await shown.text()).toContain("You are not an approver of this review");
      const res = await fetch(`${stack.devhost.url}/api/connections/${encodeKey(pending.connectionId)}/decision`, {
        method: "POST",
        headers: { cookie: theirs, "content-type": "application/json" },
        body: JSON.stringify({ decision: "approve", reason: "trust me" }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe("NOT_AN_APPROVER");
      await unchanged();
      const row = await stack.api("GET", `/connections/${encodeKey(pending.connectionId)}`);
      expect(row.body.history.map((e: { message: string }) => e.message).join("\n")).toContain(
        `Refused a decision from ${mallory}`,
      );
    });

    it("a POST from another origin, and one without the page's form token", async () => {
      const shown = await (await page(tokenOf(link), { headers: { cookie } })).text();
      const form = /name="form" value="([^"]+)"/.exec(shown)![1]!;
      const crossSite = await post(tokenOf(link), { decision: "approve", form }, { origin: "https://evil.example" });
      expect(crossSite.status).toBe(403);
      expect(await crossSite.text()).toContain("This form was sent from another site");
      const fromBrowser = await post(tokenOf(link), { decision: "approve", form }, { "sec-fetch-site": "cross-site" });
      expect(fromBrowser.status).toBe(403);
      const noFormToken = await post(tokenOf(link), { decision: "approve", form: "guess" });
      expect(noFormToken.status).toBe(403);
      await unchanged();
    });

    it("a GET never decides, and nobody signed in is sent to sign in", async () => {
      const anonymous = await page(tokenOf(link));
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("location")).toMatch(/^\/\.auth\/login\/local\?post_login_redirect_uri=/);
      await unchanged();
    });
  });

  it("the decision API: an Approver among the review's approvers decides; a function key alone does not", async () => {
    const pe = await reviewNeedingAPerson(stack, "e2e-human-api");
    const url = `${stack.devhost.url}/api/connections/${encodeKey(pe.connectionId)}/decision`;
    const body = JSON.stringify({ decision: "reject", reason: "Not a partner we serve" });
    const keyOnly = await fetch(url, {
      method: "POST",
      headers: { "x-functions-key": stack.devhost.localKey, "content-type": "application/json" },
      body,
    });
    expect(keyOnly.status).toBe(401);
    expect(((await keyOnly.json()) as any).error.code).toBe("NOT_SIGNED_IN");
    const reader = await signIn(stack.devhost.url, { name: SECOND_APPROVER, roles: ["Reader"] });
    const noRole = await fetch(url, { method: "POST", headers: { cookie: reader }, body });
    expect(noRole.status).toBe(403);

    const approver = await signIn(stack.devhost.url, { name: SECOND_APPROVER, roles: ["Approver"] });
    const res = await fetch(url, { method: "POST", headers: { cookie: approver }, body });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await res.json()).toEqual({ connectionId: pe.connectionId, decision: "reject", decidedBy: SECOND_APPROVER });
    const done = await stack.waitForConnection(pe.connectionId, ["approved", "rejected", "failed"]);
    expect(done).toMatchObject({ state: "rejected", decidedBy: SECOND_APPROVER });
    const onAzure = await armConnection(stack, pe.connectionId);
    expect(onAzure).toMatchObject({ status: "Rejected" });
    expect(onAzure.description).toContain("Not a partner we serve");

    // The review has ended: the same call now changes nothing.
    const late = await fetch(url, { method: "POST", headers: { cookie: approver }, body });
    expect(late.status).toBe(409);
    expect(((await late.json()) as any).error.code).toBe("REVIEW_NOT_WAITING");
  });
});
