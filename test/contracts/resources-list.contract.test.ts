import { ResourceManagementClient } from "@azure/arm-resources";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caFetch, SEED, startTestSandbox, type TestSandbox } from "../integration/sandbox/sandbox-test-harness";
import { ContractChecker } from "./contract-checker";

const API_VERSION = "2025-04-01";
const PROVIDER_RG = `/subscriptions/${SEED.provider}/resourceGroups/provider-rg`;

/**
 * The generic resource lists the sweep pages through (resources.json 2025-04-01). Neither operation has an
 * x-ms-example at that version, so instead every page the sandbox gives, followed through nextLink, is judged by the
 * vendored spec here, as are its refusals; then the SDK the app uses lists the same scopes.
 */
describe("the generic resource lists in the sandbox", () => {
  let t: TestSandbox;
  let token: string;
  const checker = ContractChecker.load();

  beforeAll(async () => {
    t = await startTestSandbox();
    token = (await t.credential.getToken("https://management.azure.com/.default")).token;
    const made = await t.control("POST", "/_sandbox/private-endpoints", {
      subscriptionId: SEED.watchedConsumer,
      resourceGroup: "consumer-rg",
      name: "pe-listed",
      targetResourceId: SEED.postgresId,
    });
    expect(made.status).toBe(201);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const get = async (route: string) => {
    const res = await caFetch(t.sandbox, route, "GET", undefined, { authorization: `Bearer ${token}` });
    return { status: res.status, body: JSON.parse(res.text) as { value?: { id: string; type: string }[] } & Json };
  };
  type Json = Record<string, unknown>;

  /** Every page from the first through nextLink, each judged by the spec of the operation it answers. */
  const walk = async (scope: string, query = "") => {
    const items: { id: string; type: string }[] = [];
    let pages = 0;
    let next: string | undefined = `${scope}/resources?api-version=${API_VERSION}${query}`;
    while (next) {
      const url = new URL(next, t.sandbox.url);
      const page = await get(`${url.pathname}${url.search}`);
      pages += 1;
      expect(page.status).toBe(200);
      const verdict = checker.check({
        method: "GET",
        path: url.pathname,
        apiVersion: url.searchParams.get("api-version") ?? "",
        status: page.status,
        headers: {},
        body: page.body,
      });
      expect(verdict).toEqual({ operation: expect.stringMatching(/#Resources_List(ByResourceGroup)?$/), problems: [] });
      items.push(...(page.body.value ?? []));
      next = page.body.nextLink as string | undefined;
      // An absolute nextLink that keeps the api-version and the filter, as ARM's does.
      if (next) {
        expect(next.startsWith(t.sandbox.url)).toBe(true);
        expect(new URL(next).searchParams.get("api-version")).toBe(API_VERSION);
      }
    }
    return { items, pages };
  };

  it("pages a resource group's resources (Resources_ListByResourceGroup) through nextLink, each page as the spec says", async () => {
    const { items, pages } = await walk(PROVIDER_RG);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(items.map((r) => r.id)).size).toBe(items.length);
    expect(items.map((r) => r.id)).toEqual(expect.arrayContaining([SEED.postgresId, SEED.plsId, SEED.keyVaultId]));
    const filtered = await walk(
      PROVIDER_RG,
      `&$filter=${encodeURIComponent("resourceType eq 'Microsoft.Sql/servers'")}`,
    );
    expect(filtered.items.map((r) => r.id)).toEqual([SEED.sqlId]);
  });

  it("lists a subscription's resources (Resources_List), endpoints and NICs included, not only managed types", async () => {
    const { items } = await walk(`/subscriptions/${SEED.watchedConsumer}`);
    expect(items.map((r) => r.type).sort()).toEqual([
      "Microsoft.Network/networkInterfaces",
      "Microsoft.Network/privateEndpoints",
    ]);
    const provider = await walk(`/subscriptions/${SEED.provider}`);
    expect(provider.items.map((r) => r.type)).toContain("Microsoft.Network/privateDnsZones");
    expect(provider.items.map((r) => r.id)).toContain(SEED.storageId);
  });

  it("refuses as ARM does, in the CloudError envelope: a forbidden subscription, an unserved filter, no api-version", async () => {
    const refusals = [
      { route: `/subscriptions/${SEED.foreignConsumer}/resources?api-version=${API_VERSION}`, status: 403 },
      { route: `${PROVIDER_RG}/resources?api-version=${API_VERSION}&$filter=substringof('x',%20name)`, status: 400 },
      { route: `${PROVIDER_RG}/resources?api-version=2099-01-01`, status: 400 },
    ];
    for (const { route, status } of refusals) {
      const res = await get(route);
      expect(res.status, route).toBe(status);
      const url = new URL(route, t.sandbox.url);
      const verdict = checker.check({
        method: "GET",
        path: url.pathname,
        apiVersion: API_VERSION,
        status: res.status,
        headers: {},
        body: res.body,
      });
      expect(verdict.problems, route).toEqual([]);
      expect(Object.keys(res.body)).toEqual(["error"]);
    }
  });

  it("the SDK the app uses lists both scopes, following every nextLink", async () => {
    const client = new ResourceManagementClient(t.credential, SEED.provider, {
      ...t.armOptions,
      retryOptions: { maxRetries: 0 },
    });
    const inGroup = [];
    for await (const r of client.resources.listByResourceGroup("provider-rg")) inGroup.push(r);
    expect(inGroup.map((r) => r.id)).toContain(SEED.storageId);
    const inSubscription = [];
    for await (const r of client.resources.list()) inSubscription.push(r);
    expect(inSubscription.length).toBeGreaterThan(inGroup.length);
  });
});
