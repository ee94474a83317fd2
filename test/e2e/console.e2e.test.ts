import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeKey } from "../../src/domain/arm-id";
import { launchBrowser } from "../support/browser";
import { signIn } from "../support/easy-auth";
import { openApiProblems, type SeenResponse } from "../support/openapi-check";
import { estateOf, repoRoot, startE2eStack, type E2eStack } from "./e2e-stack";
import { operatorClient } from "./operator-client";

// UPDATE_SCREENSHOTS=1 refreshes the pictures in docs/; otherwise they go to a temporary folder.
const shots = process.env.UPDATE_SCREENSHOTS ? path.join(repoRoot, "docs") : path.join(tmpdir(), "pla-console-shots");

/** The read-only console in headless Chromium with JavaScript off: what a platform team sees in the morning. */
describe("operator console end to end", () => {
  let stack: E2eStack;
  let estate: ReturnType<typeof estateOf>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let waiting: string;
  let approved: string;
  const seen: SeenResponse[] = [];

  const newContext = async (cookie?: string): Promise<BrowserContext> => {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    if (cookie) {
      const [name, value] = cookie.split("=", 2) as [string, string];
      await ctx.addCookies([{ name, value: cookie.slice(name.length + 1) || value, url: stack.devhost.url }]);
    }
    return ctx;
  };
  const open = async (route: string, on: Page = page) => {
    const res = await on.goto(`${stack.devhost.url}/api${route}`);
    return res!.status();
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startE2eStack();
    estate = estateOf(stack);
    const fabrikam = await stack.createEndpoint({
      consumer: estate.knownWatched,
      name: "console-orders-db",
      targetResourceId: estate.postgres.id,
    });
    approved = fabrikam.connectionId;
    // A consumer no tenant claims: policy sends it to a person, with a deadline.
    const stranger = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "console-stranger-kv",
      targetResourceId: estate.keyVault.id,
      requestMessage: "Analytics team, ticket 4711",
    });
    waiting = stranger.connectionId;
    expect((await stack.api("POST", "/reviews", { connectionId: waiting })).status).toBe(202);
    await stack.waitForConnection(approved, ["approved"]);
    await stack.waitForConnection(waiting, ["awaiting-approval"]);

    // Two more tenants, as an operator adds them, so the tenants page shows more than the seed.
    const admin = operatorClient(stack.devhost.url, []);
    const adminCookie = await signIn(stack.devhost.url, { name: "admin@contoso.example", roles: ["Admin"] });
    for (const [id, displayName, status, quota] of [
      ["tailspin", "Tailspin Toys", "active", 25],
      ["woodgrove", "Woodgrove Bank", "suspended", 5],
    ] as const) {
      const subscription = `00000000-0000-4000-8000-00000000${id === "tailspin" ? "0a01" : "0b01"}`;
      const res = await admin("PUT", `/tenants/${id}`, {
        cookie: adminCookie,
        body: { displayName, status, quota, subscriptions: [subscription], approvers: [`netops@${id}.example`] },
      });
      expect(res.status, res.text).toBe(201);
    }

    browser = await launchBrowser();
    context = await newContext(await signIn(stack.devhost.url, { name: "oncall@contoso.example", roles: ["Reader"] }));
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("opens on the reviews waiting for a person, with their deadlines and portal links", async () => {
    expect(await open("/console")).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Good morning");
    const row = page.locator("#waiting + table tbody tr", { hasText: "console-stranger-kv" });
    await expect(row.count()).resolves.toBe(1);
    // The default policy gives an unknown tenant 72 hours.
    await expect(row.locator("td").first().textContent()).resolves.toMatch(/in 3 d|in 7\d h/);
    await expect(
      row.locator(`a[href="https://portal.azure.com/#@/resource${estate.keyVault.id}"]`).count(),
    ).resolves.toBe(1);
    await expect(
      page.locator(".tile", { hasText: "waiting for a person" }).locator("strong").textContent(),
    ).resolves.toBe("1");
    await expect(page.locator("table", { hasText: "console-orders-db" }).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator("script").count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(shots, "console-overview.png"), fullPage: true });
  });

  it("shows one connection's timeline, from the signal to the decision", async () => {
    await page
      .locator("a", { hasText: /^console-orders-db/ })
      .first()
      .click();
    expect(page.url()).toContain(`/api/console/connections/${encodeKey(approved)}`);
    const timeline = (await page.locator(".timeline").textContent()) ?? "";
    expect(timeline).toMatch(/signal/);
    expect(timeline).toMatch(/known-tenant-auto-approve|approve/i);
    expect(timeline).toMatch(/dns/);
    await expect(page.locator("dd", { hasText: "privatelink.postgres.database.azure.com" }).count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(shots, "console-connection.png"), fullPage: true });
  });

  it("filters connections with a plain form (no script)", async () => {
    expect(await open("/console/connections")).toBe(200);
    await page.selectOption("select[name=state]", "awaiting-approval");
    await page.click("button[type=submit]");
    expect(new URL(page.url()).searchParams.get("state")).toBe("awaiting-approval");
    const body = (await page.locator("tbody").textContent()) ?? "";
    expect(body).toContain("console-stranger-kv");
    expect(body).not.toContain("console-orders-db");

    expect(await open(`/console/connections?tenant=${estate.knownWatched.tenantId}`)).toBe(200);
    expect(await page.locator("tbody").textContent()).toContain("console-orders-db");
  });

  it("lists tenants with their quota use", async () => {
    expect(await open("/console/tenants")).toBe(200);
    const row = page.locator("tbody tr", { hasText: "Fabrikam" });
    await expect(row.textContent()).resolves.toMatch(/1 \/ 10/);
    await page.screenshot({ path: path.join(shots, "console-tenants.png"), fullPage: true });
  });

  it("refuses hostile filters with a 400 page that escapes them", async () => {
    expect(await open(`/console/connections?resource=${encodeURIComponent("' or 1 eq 1 or '")}`)).toBe(400);
    await expect(page.locator("[role=alert]").textContent()).resolves.toMatch(/resource must be/);
    expect(await open(`/console/connections?tenant=${encodeURIComponent("<script>alert(1)</script>")}`)).toBe(400);
    await expect(page.locator("script").count()).resolves.toBe(0);
    await expect(page.locator("input[name=tenant]").inputValue()).resolves.toBe("<script>alert(1)</script>");
    expect(await open("/console/connections/%00nope")).toBe(400);
  });

  it("sends strangers to sign in, and tells a signed-in person without a role what is missing", async () => {
    const anonymous = await newContext();
    const anonPage = await anonymous.newPage();
    expect(await open("/console", anonPage)).toBe(401);
    await anonPage.locator("main a", { hasText: "Sign in" }).click();
    await anonPage.waitForURL((url) => url.pathname === "/.auth/login/aad");
    expect(new URL(anonPage.url()).searchParams.get("post_login_redirect_uri")).toBe("/api/console");
    await anonymous.close();

    const noRole = await newContext(await signIn(stack.devhost.url, { name: "visitor@contoso.example", roles: [] }));
    const noRolePage = await noRole.newPage();
    expect(await open("/console/tenants", noRolePage)).toBe(403);
    await expect(noRolePage.locator("main").textContent()).resolves.toMatch(/Reader/);
    await noRole.close();
  });

  it("answers every console page as the OpenAPI document says", async () => {
    const call = operatorClient(stack.devhost.url, seen);
    const cookie = await signIn(stack.devhost.url, { name: "oncall@contoso.example", roles: ["Reader"] });
    await call("GET", "/console", { cookie });
    await call("GET", "/console");
    await call("GET", "/console/tenants", {
      cookie: await signIn(stack.devhost.url, { name: "x@y.example", roles: [] }),
    });
    await call("GET", "/console/connections?state=bogus", { cookie });
    await call("GET", `/console/connections/${encodeKey(approved)}`, { cookie });
    await call("GET", `/console/connections/${encodeKey(approved)}x`, { cookie });
    await call("GET", "/console/tenants", { cookie });
    expect(seen.map((s) => s.status)).toEqual([200, 401, 403, 400, 200, 404, 200]);
    expect(seen.flatMap(openApiProblems)).toEqual([]);
  });
});
