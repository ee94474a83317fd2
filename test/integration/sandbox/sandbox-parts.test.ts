import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { idKey, parseArmPath } from "../../../sandbox/arm/arm-path";
import { FaultInjector, parseFaultOptions } from "../../../sandbox/control/fault-injector";
import { EstateStore, guidFrom } from "../../../sandbox/estate/estate-store";
import { checkSeed, subnetRange } from "../../../sandbox/estate/seed-loader";
import type { EstateSeed } from "../../../sandbox/estate/seed-types";
import { EventDelivery } from "../../../sandbox/events/event-delivery";
import { inboxHtml } from "../../../sandbox/notify/inbox";

const seedFile = path.join(__dirname, "../../../sandbox/estate.seed.json");

describe("sandbox parts", () => {
  it("takes ARM paths apart, collections and items alike", () => {
    expect(
      parseArmPath(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/pls/privateEndpointConnections",
      ),
    ).toMatchObject({
      subscriptionId: "s",
      resourceGroup: "rg",
      namespace: "Microsoft.Network",
      types: ["privateLinkServices", "privateEndpointConnections"],
      names: ["pls"],
      isCollection: true,
      typeKey: "microsoft.network/privatelinkservices/privateendpointconnections",
    });
    expect(parseArmPath("/subscriptions/s/resourcegroups/rg/resources")).toMatchObject({
      resourceGroup: "rg",
      typeKey: "resources",
      isCollection: true,
    });
    expect(parseArmPath("/emails:send")).toBeUndefined();
    expect(idKey("//subscriptions/S/resourcegroups/RG/")).toBe(idKey("/subscriptions/s/resourceGroups/rg"));
  });

  it("accepts the shipped seed and names every problem of a broken one", () => {
    const seed = JSON.parse(readFileSync(seedFile, "utf8")) as EstateSeed;
    expect(checkSeed(seed)).toEqual([]);
    const broken = structuredClone(seed);
    broken.provider.paasResources.push({ type: "Microsoft.Web/sites", name: "x" });
    broken.consumers[0]!.subnetPrefix = "10.0.0.0/15";
    broken.armPageSize = 0;
    expect(checkSeed(broken)).toHaveLength(3);
  });

  it("hands out a wider subnet's addresses across its /24 boundaries, and says when it is full", () => {
    const seed = JSON.parse(readFileSync(seedFile, "utf8")) as EstateSeed;
    const consumer = seed.consumers.find((c) => c.watched && c.readableByApp)!;
    consumer.subnetPrefix = "10.60.0.0/23";
    expect(checkSeed(seed)).toEqual([]);
    expect(subnetRange("10.60.1.0/23")).toBeUndefined();
    expect(subnetRange("10.60.0.0/25")).toBeUndefined();
    const store = new EstateStore(seed);
    const target = store.seed.provider.paasResources[0]!;
    const targetResourceId = `/subscriptions/${seed.provider.subscriptionId}/resourceGroups/${seed.provider.resourceGroup}/providers/${target.type}/${target.name}`;
    const ips = Array.from(
      { length: 507 },
      (_, i) =>
        store.createEndpoint({
          subscriptionId: consumer.subscriptionId,
          resourceGroup: "rg",
          name: `pe${i}`,
          targetResourceId,
        }).endpoint.privateIp,
    );
    // Azure keeps the first four addresses and the last: 10.60.0.4 to 10.60.1.254.
    expect([ips[0], ips[251], ips[252], ips[506]]).toEqual(["10.60.0.4", "10.60.0.255", "10.60.1.0", "10.60.1.254"]);
    expect(() =>
      store.createEndpoint({
        subscriptionId: consumer.subscriptionId,
        resourceGroup: "rg",
        name: "pe-extra",
        targetResourceId,
      }),
    ).toThrow(/has no free address/);
  });

  it("repeats faults for a seed and stops after maxFaults", () => {
    const decide = (options: Record<string, unknown>, n: number): string[] => {
      const faults = new FaultInjector();
      faults.configure(parseFaultOptions(options));
      return Array.from({ length: n }, () => {
        const d = faults.decide("GET /x", "GET x");
        return d.kind === "error" ? String(d.error.status) : d.kind;
      });
    };
    const options = { rate429: 0.25, rate5xx: 0.25, timeoutRate: 0.1, seed: 9 };
    expect(decide(options, 40)).toEqual(decide(options, 40));
    expect(decide({ rate429: 1, maxFaults: 2 }, 4)).toEqual(["429", "429", "none", "none"]);
    expect(decide({ rate429: 1, match: "dns" }, 1)).toEqual(["none"]);
  });

  it("derives the same connection guid for the same endpoint id, whatever the casing", () => {
    expect(guidFrom("/subscriptions/A/pe")).toBe(guidFrom("/subscriptions/a/PE"));
    expect(guidFrom("/subscriptions/a/pe")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("escapes everything on the inbox page", () => {
    const html = inboxHtml([
      { id: "1", kind: "email", receivedAt: "t", to: ["<a@b>"], subject: "<script>x</script>", html: "<b>hi</b>" },
    ]);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;b&gt;hi&lt;/b&gt;");
  });

  it("settles idle() when stopped during a retry wait", async () => {
    const delivery = new EventDelivery({
      webhookUrl: "not a url", // fails at once, without the network
      deliverEachEventTimes: 1,
      retryDelaysMs: [3_600_000],
      attemptTimeoutMs: 1000,
      log: () => undefined,
    });
    delivery.publish([{ id: "e1", eventType: "t", subject: "s" }]);
    // Stop once the first attempt has failed and the hour-long retry wait began.
    while (delivery.list()[0]!.attempts.length === 0) await new Promise((r) => setImmediate(r));
    delivery.stop();
    await delivery.idle();
    expect(delivery.list()[0]!.state).toBe("dropped");
  });
});
