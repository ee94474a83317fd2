import { describe, expect, it } from "vitest";
import type { ArmConnection } from "../../../src/ports/connection-gateway.port";
import { toConnectionRequest } from "../../../src/workflow/connection-request";
import { armConnectionOf } from "../../../src/workflow/recorded-connection";
import { anArmConnection, CONSUMER_SUB } from "../../support/builders";

// What policy is shown of a connection ARM reports, and how a snapshot recorded by an older version reads back.

describe("toConnectionRequest", () => {
  it("shows policy the resource's tags, the tenant, the message and the location ARM gave", () => {
    const request = toConnectionRequest(
      anArmConnection({ providerResourceTags: { environment: "production" }, requestMessage: "CHG-1" }),
      "sweep",
      "2026-01-01T09:00:00.000Z",
      "fabrikam",
    );
    expect(request).toMatchObject({
      providerResourceTags: { environment: "production" },
      consumerSubscriptionId: CONSUMER_SUB,
      consumerTenantId: "fabrikam",
      requestMessage: "CHG-1",
      location: "westeurope",
      status: "Pending",
      source: "sweep",
      observedAt: "2026-01-01T09:00:00.000Z",
    });
  });

  it("names nothing ARM did not give", () => {
    const { requestMessage: _m, location: _l, ...bare } = anArmConnection();
    const request = toConnectionRequest(bare, "http", "2026-01-01T09:00:00.000Z");
    for (const key of ["providerResourceTags", "consumerTenantId", "requestMessage", "location"]) {
      expect(Object.keys(request)).not.toContain(key);
    }
  });
});

describe("armConnectionOf", () => {
  const current = anArmConnection({ armStatus: "Approved" });

  it("reads a current snapshot as it is", () => {
    expect(armConnectionOf(current)).toBe(current);
    const both = { ...current, status: "Pending" } as ArmConnection;
    expect(armConnectionOf(both).armStatus).toBe("Approved");
  });

  it("reads an older snapshot's status as ARM's status", () => {
    const { armStatus: _s, ...rest } = current;
    const older = { ...rest, status: "Rejected" } as unknown as ArmConnection;
    expect(armConnectionOf(older)).toEqual({ ...rest, armStatus: "Rejected" });
  });

  it("leaves a snapshot with no status at all as it is", () => {
    const { armStatus: _s, ...rest } = current;
    const none = rest as ArmConnection;
    expect(armConnectionOf(none)).toBe(none);
  });
});
