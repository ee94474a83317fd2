import { describe, expect, it } from "vitest";
import type { IntakeSignal } from "../../../src/domain/intake";
import { parseConnectionRequest, requestsFromSignal } from "../../../src/domain/request-input";
import { aRequest, CONSUMER_SUB, CONSUMER_TENANT } from "./request-mother";
import { errorOf } from "./domain-error.helper";

// Each optional field of an untrusted request: taken when valid, named in the error when not, absent when not given.

const DEFAULTS = { source: "http" as const, observedAt: "2026-03-02T09:30:00Z" };
const BASE = { connectionId: aRequest().connectionId };
const PE = `/subscriptions/${CONSUMER_SUB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-orders`;

const parse = (extra: Record<string, unknown>) => parseConnectionRequest({ ...BASE, ...extra }, DEFAULTS);
const problemsOf = (extra: Record<string, unknown>) => errorOf(() => parse(extra)).message;

describe("parseConnectionRequest: what it refuses, and why", () => {
  it("says the request must be an object, whatever else arrives", () => {
    for (const value of [null, "text", 42, [BASE]]) {
      const e = errorOf(() => parseConnectionRequest(value, DEFAULTS));
      expect(e.code).toBe("REQUEST_INVALID");
      expect(e.message).toContain("the request must be a JSON object");
      expect(e.message).toMatch(/Fix these fields and try again\.$/);
    }
  });

  it("refuses a connection id that is not a private endpoint connection, and only that", () => {
    const message = errorOf(() =>
      parseConnectionRequest(
        { connectionId: aRequest().providerResourceId, providerResourceId: aRequest().providerResourceId },
        DEFAULTS,
      ),
    ).message;
    expect(message).toBe(
      "The connection request is not valid: connectionId must be the resource id of a private endpoint connection " +
        "(…/privateEndpointConnections/<name>). Fix these fields and try again.",
    );
    expect(problemsOf({ connectionId: 7 })).toContain("connectionId must be the resource id");
  });

  it("refuses a provider resource id that is not an id, and one that is not the connection's parent", () => {
    expect(problemsOf({ providerResourceId: "pg-orders" })).toContain("providerResourceId must be a resource id");
    const other = aRequest().providerResourceId.replace("pg-orders", "pg-other");
    expect(problemsOf({ providerResourceId: other })).toContain(
      "providerResourceId must be the resource the connection belongs to",
    );
    // The parent in another casing or with a trailing slash is the same resource.
    const same = aRequest().providerResourceId.toUpperCase().replace("SUBSCRIPTIONS", "subscriptions") + "/";
    expect(parse({ providerResourceId: same }).providerResourceId).toBe(same.slice(0, -1));
  });

  it("names each consumer id that is not a GUID", () => {
    const message = problemsOf({ consumerSubscriptionId: "sub-1", consumerTenantId: 12 });
    expect(message).toContain("consumerSubscriptionId must be a GUID");
    expect(message).toContain("consumerTenantId must be a GUID");
  });

  it("takes up to 32 group ids, all text", () => {
    const groups = Array.from({ length: 32 }, (_, i) => `g${i}`);
    expect(parse({ groupIds: groups }).groupIds).toEqual(groups);
    expect(problemsOf({ groupIds: [...groups, "g32"] })).toContain("groupIds must be a list of at most 32 strings");
    expect(problemsOf({ groupIds: ["blob", 1] })).toContain("groupIds must be a list");
    expect(problemsOf({ groupIds: "blob" })).toContain("groupIds must be a list");
  });

  it("lists the statuses and sources it knows", () => {
    expect(problemsOf({ status: "pending" })).toContain(
      "status must be one of Pending, Approved, Rejected, Disconnected",
    );
    expect(problemsOf({ source: "email" })).toContain(
      "source must be one of event-grid, resource-notification, http, sweep, cli",
    );
    expect(parse({ status: "Disconnected", source: "sweep" })).toMatchObject({
      status: "Disconnected",
      source: "sweep",
    });
  });

  it("refuses an observedAt that is not a time, or not text", () => {
    expect(problemsOf({ observedAt: "yesterday" })).toContain("observedAt must be an ISO time");
    expect(problemsOf({ observedAt: 1_767_225_600_000 })).toContain("observedAt must be an ISO time");
    expect(parse({ observedAt: "2026-01-01T00:00:00Z" }).observedAt).toBe("2026-01-01T00:00:00Z");
  });

  it("takes a request message of up to 1,024 characters of text", () => {
    expect(parse({ requestMessage: "x".repeat(1024) }).requestMessage).toHaveLength(1024);
    expect(parse({ requestMessage: "" }).requestMessage).toBe("");
    for (const bad of ["x".repeat(1025), 42]) {
      expect(problemsOf({ requestMessage: bad })).toContain("requestMessage must be text of at most 1024 characters");
    }
  });

  it("takes a private endpoint id only when it is a resource id", () => {
    expect(problemsOf({ privateEndpointId: "pe-orders" })).toContain("privateEndpointId must be a resource id");
    expect(parse({ privateEndpointId: ` ${PE} ` }).privateEndpointId).toBe(PE);
  });

  it("takes the provider resource type as given when it is text, else from the provider id", () => {
    expect(problemsOf({ providerResourceType: 3 })).toContain("providerResourceType must be text");
    expect(parse({ providerResourceType: "Microsoft.Sql/servers" }).providerResourceType).toBe("Microsoft.Sql/servers");
    expect(parse({}).providerResourceType).toBe("Microsoft.DBforPostgreSQL/flexibleServers");
  });
});

describe("parseConnectionRequest: what it keeps", () => {
  it("adds no optional field that was not given", () => {
    const r = parse({});
    for (const key of [
      "providerResourceTags",
      "privateEndpointId",
      "consumerSubscriptionId",
      "consumerTenantId",
      "requestMessage",
      "location",
    ]) {
      expect(r).not.toHaveProperty(key);
    }
    expect(r).toMatchObject({ groupIds: [], status: "Pending", source: "http", observedAt: DEFAULTS.observedAt });
  });

  it("keeps tags, location and consumer ids, trimmed and lower-cased where ids are compared", () => {
    const r = parse({
      providerResourceTags: { env: "prod", owner: 3 },
      location: " westeurope ",
      consumerTenantId: CONSUMER_TENANT.toUpperCase(),
      consumerSubscriptionId: CONSUMER_SUB,
    });
    expect(r.providerResourceTags).toEqual({ env: "prod" });
    expect(r.location).toBe("westeurope");
    expect(r.consumerTenantId).toBe(CONSUMER_TENANT);
    expect(r.consumerSubscriptionId).toBe(CONSUMER_SUB);
  });

  it("does not share the caller's group id list", () => {
    const groups = ["postgresqlServer"];
    const r = parse({ groupIds: groups });
    groups.push("late");
    expect(r.groupIds).toEqual(["postgresqlServer"]);
  });
});

describe("requestsFromSignal: what each signal can and cannot tell", () => {
  const PG = aRequest().providerResourceId;
  /** What a bare Event Grid write cannot tell: no group ids, and a connection that is Pending until ARM says more. */
  const FROM_AN_EVENT = { groupIds: [], status: "Pending", source: "event-grid", observedAt: DEFAULTS.observedAt };

  it("takes a notified connection without endpoint, message, tags or location as it is", () => {
    const signal: IntakeSignal = {
      kind: "resource-notification",
      providerResourceId: PG,
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
      connections: [{ connectionId: `${PG}/privateEndpointConnections/a`, status: "Pending", groupIds: ["x"] }],
      eventId: "e",
      eventTime: "t",
    };
    const [only, ...rest] = requestsFromSignal(signal, DEFAULTS.observedAt);
    expect(rest).toEqual([]);
    expect(only).toEqual({
      request: {
        connectionId: `${PG}/privateEndpointConnections/a`,
        providerResourceId: PG,
        providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
        groupIds: ["x"],
        status: "Pending",
        source: "resource-notification",
        observedAt: DEFAULTS.observedAt,
      },
    });
  });

  it("keeps a notified endpoint whose id gives no subscription, and the location and an empty message", () => {
    const signal: IntakeSignal = {
      kind: "resource-notification",
      providerResourceId: PG,
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
      location: "westeurope",
      connections: [
        {
          connectionId: `${PG}/privateEndpointConnections/a`,
          status: "Pending",
          groupIds: [],
          privateEndpointId: "pe-orders",
          requestMessage: "",
        },
      ],
      eventId: "e",
      eventTime: "t",
    };
    const { request } = requestsFromSignal(signal, DEFAULTS.observedAt)[0]!;
    expect(request.privateEndpointId).toBe("pe-orders");
    expect(request).not.toHaveProperty("consumerSubscriptionId");
    expect(request.requestMessage).toBe("");
    expect(request.location).toBe("westeurope");
  });

  it("makes a Pending request of a connection write, typed from the provider id", () => {
    const signal: IntakeSignal = {
      kind: "connection-written",
      connectionId: aRequest().connectionId,
      providerResourceId: PG,
      initiatedBySelf: false,
      eventId: "e",
      eventTime: "t",
    };
    const [only] = requestsFromSignal(signal, DEFAULTS.observedAt);
    expect(only!.request).toEqual({
      connectionId: aRequest().connectionId,
      providerResourceId: PG,
      providerResourceType: "Microsoft.DBforPostgreSQL/flexibleServers",
      ...FROM_AN_EVENT,
    });
    expect(only!.incomplete).toBe(
      "the event does not carry the group ids, consumer or request message; those conditions cannot match",
    );
    expect(requestsFromSignal({ ...signal, providerResourceId: "garbage" }, "t")[0]!.request.providerResourceType).toBe(
      "",
    );
  });

  it("makes a consumer-side request of an endpoint write, with the tenant only when the event names it", () => {
    const signal: IntakeSignal = {
      kind: "private-endpoint-written",
      privateEndpointId: PE,
      subscriptionId: CONSUMER_SUB,
      eventId: "e",
      eventTime: "t",
    };
    const [only] = requestsFromSignal(signal, DEFAULTS.observedAt);
    expect(only!.request).toEqual({
      connectionId: "",
      providerResourceId: "",
      providerResourceType: "",
      privateEndpointId: PE,
      consumerSubscriptionId: CONSUMER_SUB,
      ...FROM_AN_EVENT,
    });
    expect(only!.incomplete).toBe(
      "the event does not name the target resource; resource, group and message conditions cannot match",
    );
    const withTenant = requestsFromSignal({ ...signal, tenantId: CONSUMER_TENANT }, "t")[0]!.request;
    expect(withTenant.consumerTenantId).toBe(CONSUMER_TENANT);
  });

  it("makes nothing of deletions", () => {
    const deleted: IntakeSignal = {
      kind: "connection-deleted",
      connectionId: aRequest().connectionId,
      providerResourceId: PG,
      eventId: "e",
      eventTime: "t",
    };
    expect(requestsFromSignal(deleted, "t")).toEqual([]);
  });
});
