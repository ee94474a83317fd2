import { describe, expect, it } from "vitest";
import {
  freshObservedConnection,
  OBSERVED_FRESH_MS,
  parseApprovalEvent,
  parseRenewEvent,
} from "../../../src/workflow/connection-review.orchestration";
import type { ReviewInput } from "../../../src/workflow/contracts";
import { aConnectionId, anArmConnection } from "../../support/builders";

// The review's pure parts: what an approval or renewal event must say to count, and when intake's read of the
// connection stands in for the review's own.

describe("parseApprovalEvent", () => {
  it("takes a decision and an approver, trimmed and capped, with the reason and a known channel", () => {
    expect(
      parseApprovalEvent({ decision: "approve", approver: "  ops@contoso.example ", reason: " ok ", via: "page" }),
    ).toEqual({ decision: "approve", approver: "ops@contoso.example", reason: " ok ", via: "page" });
    expect(parseApprovalEvent(JSON.stringify({ decision: "reject", approver: "bob" }))).toEqual({
      decision: "reject",
      approver: "bob",
    });
    const long = parseApprovalEvent({ decision: "reject", approver: "a".repeat(300), reason: "r".repeat(1200) });
    expect(long?.approver).toHaveLength(256);
    expect(long?.reason).toHaveLength(1000);
  });

  it("leaves out a channel it does not know and a reason that is not text", () => {
    const body = parseApprovalEvent({ decision: "approve", approver: "bob", via: "fax", reason: 42 });
    expect(body).toEqual({ decision: "approve", approver: "bob" });
    for (const via of ["api", "event"]) {
      expect(parseApprovalEvent({ decision: "approve", approver: "bob", via })?.via).toBe(via);
    }
  });

  it("ignores anything else (fail closed)", () => {
    for (const raw of [
      undefined,
      null,
      "not json",
      "null",
      42,
      { decision: "maybe", approver: "bob" },
      { approver: "bob" },
      { decision: "approve" },
      { decision: "approve", approver: 7 },
      { decision: "approve", approver: "   " },
    ]) {
      expect(parseApprovalEvent(raw)).toBeUndefined();
    }
  });
});

describe("parseRenewEvent", () => {
  it("takes who renewed, trimmed and capped, and a reason when one is given", () => {
    expect(parseRenewEvent({ by: " alice ", reason: " still needed " })).toEqual({
      by: "alice",
      reason: "still needed",
    });
    expect(parseRenewEvent(JSON.stringify({ by: "alice", reason: "   " }))).toEqual({ by: "alice" });
    expect(parseRenewEvent({ by: "alice", reason: 5 })).toEqual({ by: "alice" });
    const long = parseRenewEvent({ by: "b".repeat(300), reason: "r".repeat(600) });
    expect(long?.by).toHaveLength(256);
    expect(long?.reason).toHaveLength(500);
  });

  it("ignores a renewal that names nobody", () => {
    for (const raw of [undefined, null, "{", "null", 3, {}, { by: 3 }, { by: "  " }]) {
      expect(parseRenewEvent(raw)).toBeUndefined();
    }
  });
});

describe("freshObservedConnection", () => {
  const connection = anArmConnection();
  const at = new Date("2026-01-01T09:00:00.000Z");
  const input = (observedAt: string, extra: Partial<ReviewInput> = {}): ReviewInput => ({
    connectionId: connection.connectionId,
    source: "event-grid",
    observedAt,
    observed: { at: observedAt, connection },
    ...extra,
  });
  const ago = (ms: number) => new Date(at.getTime() - ms).toISOString();

  it("stands in for the review's read up to five minutes old, and not a moment later", () => {
    expect(freshObservedConnection(input(ago(0)), at)).toEqual(connection);
    expect(freshObservedConnection(input(ago(OBSERVED_FRESH_MS)), at)).toEqual(connection);
    expect(OBSERVED_FRESH_MS).toBe(300_000);
    expect(freshObservedConnection(input(ago(OBSERVED_FRESH_MS + 1)), at)).toBeUndefined();
  });

  it("is not taken from the future, from an unreadable time, for another connection, or when absent", () => {
    expect(freshObservedConnection(input(ago(-1)), at)).toBeUndefined();
    expect(freshObservedConnection(input("yesterday"), at)).toBeUndefined();
    const other = input(ago(0), { connectionId: aConnectionId({ name: "other" }) });
    expect(freshObservedConnection(other, at)).toBeUndefined();
    expect(freshObservedConnection(input(ago(0), { connectionId: connection.connectionId.toUpperCase() }), at)).toEqual(
      connection,
    );
    expect(freshObservedConnection(input(ago(0), { observed: undefined }), at)).toBeUndefined();
    expect(freshObservedConnection(input(ago(0), { observed: { at: ago(0) } }), at)).toBeUndefined();
  });
});
