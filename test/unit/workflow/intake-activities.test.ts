import { describe, expect, it } from "vitest";
import { ActivityNames } from "../../../src/workflow/names";
import {
  aConnectionId,
  anArmConnection,
  anEndpoint,
  anEndpointId,
  aPrivateLinkServiceId,
} from "../../support/builders";
import { reviewHarness } from "../../support/review-harness";

// The intakes' activities, called by their registered names: which connections a signal leads to, what ARM is
// asked (and what is never listed: resources outside the managed scopes), and what is handed on to the reviews.

function setup() {
  const h = reviewHarness();
  const run = h.run;
  return { h, run };
}

const OUTSIDE =
  "/subscriptions/00000000-0000-0000-0000-0000000000ff/resourceGroups/x/providers/Microsoft.Network/privateLinkServices/theirs";

describe("listNotifiedConnections", () => {
  it("answers only the named connections ARM lists, however the notification spells them", async () => {
    const { h, run } = setup();
    const named = anArmConnection();
    h.gateway.addConnection(named);
    h.gateway.addConnection(anArmConnection({ connectionId: aConnectionId({ name: "not-named" }) }));
    expect(
      await run(ActivityNames.listNotifiedConnections, {
        providerResourceId: aPrivateLinkServiceId(),
        connectionIds: [named.connectionId.toUpperCase()],
      }),
    ).toEqual({ ok: true, value: [named] });
  });

  it("lists nothing for a resource outside the managed scopes", async () => {
    const { h, run } = setup();
    const theirs = anArmConnection({
      connectionId: `${OUTSIDE}/privateEndpointConnections/c`,
      providerResourceId: OUTSIDE,
    });
    h.gateway.addConnection(theirs);
    expect(
      await run(ActivityNames.listNotifiedConnections, {
        providerResourceId: OUTSIDE,
        connectionIds: [theirs.connectionId],
      }),
    ).toEqual({ ok: true, value: [] });
    expect(h.gateway.reads).toEqual([]);
  });
});

describe("resolveEndpoint", () => {
  it("an endpoint ARM does not have leads to nothing, and nothing is listed", async () => {
    const { h, run } = setup();
    h.gateway.addConnection(anArmConnection());
    expect(await run(ActivityNames.resolveEndpoint, { privateEndpointId: anEndpointId() })).toEqual({
      ok: true,
      value: { connections: [] },
    });
    expect(h.gateway.reads.map((r) => r.method)).toEqual(["getPrivateEndpoint"]);
  });

  it("lists each managed target once, never one outside the scopes, reading NICs only when needed", async () => {
    const { h, run } = setup();
    const ours = anArmConnection();
    h.gateway.addConnection(ours);
    // A connection on a resource outside our scopes, from the same endpoint: not ours to review.
    h.gateway.addConnection(
      anArmConnection({ connectionId: `${OUTSIDE}/privateEndpointConnections/c`, providerResourceId: OUTSIDE }),
    );
    h.gateway.addEndpoint(
      anEndpoint({
        targets: [
          { targetResourceId: aPrivateLinkServiceId(), groupIds: [] },
          { targetResourceId: aPrivateLinkServiceId().toUpperCase(), groupIds: [] },
          { targetResourceId: OUTSIDE, groupIds: [] },
        ],
        customDnsConfigs: [{ fqdn: "x.example", ipAddresses: ["10.1.0.4"] }],
      }),
    );
    const result = (await run(ActivityNames.resolveEndpoint, { privateEndpointId: anEndpointId() })) as {
      value: { connections: { connectionId: string }[] };
    };
    expect(result.value.connections.map((c) => c.connectionId)).toEqual([ours.connectionId]);
    expect(h.gateway.reads.map((r) => `${r.method} ${r.id.toLowerCase()} ${r.detail ?? ""}`.trim())).toEqual([
      `getPrivateEndpoint ${anEndpointId().toLowerCase()} endpoint-only`,
      `listConnections ${aPrivateLinkServiceId().toLowerCase()}`,
    ]);
  });

  it.each([
    ["64 entries (with its NICs) is handed on", 0, 63, true],
    ["65 entries, most of them DNS configurations, is not", 64, 0, false],
    ["65 entries, most of them NICs, is not", 0, 64, false],
  ])("an endpoint of %s", async (_name, dnsConfigs, nics, handedOn) => {
    const { h, run } = setup();
    h.gateway.addConnection(anArmConnection());
    const endpoint = anEndpoint({
      customDnsConfigs: Array.from({ length: dnsConfigs }, (_, i) => ({
        fqdn: `n${i}.example`,
        ipAddresses: ["10.1.0.4"],
      })),
      nicIpConfigurations: Array.from({ length: nics }, () => ({ privateIPAddress: "10.1.0.4", fqdns: [] })),
    });
    h.gateway.addEndpoint(endpoint);
    const result = (await run(ActivityNames.resolveEndpoint, { privateEndpointId: anEndpointId() })) as {
      value: { endpoint?: unknown };
    };
    expect(result.value.endpoint !== undefined).toBe(handedOn);
  });
});
