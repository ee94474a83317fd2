import { describe, expect, it } from "vitest";
import type { IntakeSignal } from "../../../src/domain/intake";
import { parseConnectionRequest, requestsFromSignal } from "../../../src/domain/request-input";
import { findTenant, validateTenant } from "../../../src/domain/tenant";
import { aRequest, aTenant, CONSUMER_SUB, CONSUMER_TENANT } from "./request-mother";
import { errorOf } from "./domain-error.helper";

const DEFAULTS = { source: "cli" as const, observedAt: "2026-03-02T09:30:00Z" };

describe("parseConnectionRequest", () => {
  it("fills the provider resource from the connection id", () => {
    const full = aRequest();
    const r = parseConnectionRequest(
      { connectionId: full.connectionId, consumerSubscriptionId: CONSUMER_SUB.toUpperCase() + "/" },
      DEFAULTS,
    );
    expect(r).toEqual({
      connectionId: full.connectionId,
      providerResourceId: full.providerResourceId,
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
      groupIds: [],
      consumerSubscriptionId: CONSUMER_SUB,
      status: "Pending",
      source: "cli",
      observedAt: DEFAULTS.observedAt,
    });
  });

  it("keeps a full request as it is", () => {
    expect(
      parseConnectionRequest(aRequest({ requestMessage: "hi", providerResourceTags: { a: "b" } }), DEFAULTS),
    ).toEqual(aRequest({ requestMessage: "hi", providerResourceTags: { a: "b" } }));
  });

  it("lists every problem at once (REQUEST_INVALID)", () => {
    const e = errorOf(() =>
      parseConnectionRequest(
        {
          connectionId: "/subscriptions/x",
          groupIds: "blob",
          status: "Maybe",
          consumerTenantId: "nope",
          observedAt: "yesterday",
        },
        DEFAULTS,
      ),
    );
    expect(e.code).toBe("REQUEST_INVALID");
    for (const part of ["connectionId", "groupIds", "status", "consumerTenantId", "observedAt"])
      expect(e.message).toContain(part);
    expect(errorOf(() => parseConnectionRequest([], DEFAULTS)).code).toBe("REQUEST_INVALID");
  });

  it("refuses a provider resource that is not the connection's parent", () => {
    const other = aRequest().providerResourceId.replace("pg-orders", "pg-other");
    expect(errorOf(() => parseConnectionRequest(aRequest({ providerResourceId: other }), DEFAULTS)).message).toContain(
      "belongs to",
    );
  });
});

describe("requestsFromSignal", () => {
  const notification: IntakeSignal = {
    kind: "resource-notification",
    providerResourceId: aRequest().providerResourceId,
    providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
    location: "westeurope",
    tags: { environment: "prod" },
    connections: [
      {
        connectionId: `${aRequest().providerResourceId}/privateEndpointConnections/a`,
        status: "Pending",
        groupIds: ["postgresqlServer"],
        requestMessage: "CHG0000001",
        privateEndpointId: `/subscriptions/${CONSUMER_SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe`,
      },
      {
        connectionId: `${aRequest().providerResourceId}/privateEndpointConnections/b`,
        status: "Approved",
        groupIds: [],
      },
    ],
    eventId: "e",
    eventTime: "t",
  };

  it("makes one request per Pending connection of a notification, with the consumer subscription", () => {
    const out = requestsFromSignal(notification, DEFAULTS.observedAt);
    expect(out).toHaveLength(1);
    expect(out[0]!.request).toMatchObject({
      consumerSubscriptionId: CONSUMER_SUB,
      requestMessage: "CHG0000001",
      providerResourceTags: { environment: "prod" },
      source: "resource-notification",
    });
    expect(out[0]!.incomplete).toBeUndefined();
  });

  it("says what a bare write cannot tell, and makes nothing of our own echo or of ignored events", () => {
    const write: IntakeSignal = {
      kind: "connection-written",
      connectionId: aRequest().connectionId,
      providerResourceId: aRequest().providerResourceId,
      initiatedBySelf: false,
      eventId: "e",
      eventTime: "t",
    };
    expect(requestsFromSignal(write, DEFAULTS.observedAt)[0]!.incomplete).toMatch(/cannot match/);
    expect(requestsFromSignal({ ...write, initiatedBySelf: true }, DEFAULTS.observedAt)).toEqual([]);
    expect(requestsFromSignal({ kind: "ignored", reason: "x" }, DEFAULTS.observedAt)).toEqual([]);
  });
});

describe("tenants", () => {
  it("finds a tenant by tenant id first, else by subscription", () => {
    const t = aTenant();
    expect(findTenant([t], { consumerTenantId: CONSUMER_TENANT.toUpperCase() })).toBe(t);
    expect(findTenant([t], { consumerSubscriptionId: CONSUMER_SUB })).toBe(t);
    expect(
      findTenant([t], {
        consumerTenantId: "99999999-0000-4000-8000-000000000000",
        consumerSubscriptionId: CONSUMER_SUB,
      }),
    ).toBeUndefined();
    expect(findTenant([t], {})).toBeUndefined();
  });

  it("validates tenant records and lists every problem", () => {
    expect(validateTenant(aTenant()).tenant).toEqual(aTenant());
    const { tenant, errors } = validateTenant({
      tenantId: "x y",
      status: "gone",
      subscriptions: ["y"],
      quota: -1,
      usage: 1.5,
    });
    expect(tenant).toBeUndefined();
    expect(errors).toHaveLength(6);
    for (const field of ["tenantId", "displayName", "status", "subscriptions.0", "quota", "usage"]) {
      expect(errors.some((e) => e.startsWith(field))).toBe(true);
    }
  });

  it("takes an id of letters, digits, '.', '_' or '-' (an Entra tenant GUID or a slug) and defaults the status", () => {
    const { tenant } = validateTenant({ tenantId: "contoso.eu-1", displayName: "Contoso EU" });
    expect(tenant).toEqual({
      tenantId: "contoso.eu-1",
      displayName: "Contoso EU",
      status: "active",
      subscriptions: [],
      approvers: [],
      usage: 0,
    });
    expect(validateTenant({ tenantId: "t", displayName: "T", role: "admin" }).errors).toEqual([
      'the record has an unknown field "role"',
    ]);
    expect(validateTenant({ tenantId: "t", displayName: "   " }).tenant).toBeUndefined();
  });
});
