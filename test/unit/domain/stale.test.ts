import { describe, expect, it } from "vitest";
import { evaluatePolicy, parsePolicy } from "../../../src/domain/policy";
import {
  approvalEndedDescription,
  approvalWindow,
  pendingExpiredDescription,
  pendingExpiresAt,
  retentionDue,
} from "../../../src/domain/stale";
import { aRequest } from "./request-mother";

const DAY = 24 * 3_600_000;
const T0 = Date.parse("2026-03-01T00:00:00Z");

const policy = (extra: string) =>
  parsePolicy(`
schemaVersion: 1
maxPendingAge: P14D
rules:
  - id: short
    when: { groupId: sqlServer }
    then: { verdict: review, reason: A person decides., maxPendingAge: P2D }
  - id: lease
    when: { groupId: blob }
    then: { verdict: approve, reason: Yes., validFor: P90D }
${extra}
default: { verdict: review, reason: A person decides. }
`);

describe("stale connections: maximum Pending age", () => {
  it("takes the deciding rule's limit, else the policy-wide one", () => {
    const p = policy("");
    const now = "2026-03-01T00:00:00Z";
    expect(evaluatePolicy(p, { request: aRequest({ groupIds: ["sqlServer"] }), now }).maxPendingAge).toBe("P2D");
    expect(evaluatePolicy(p, { request: aRequest({ groupIds: ["vault"] }), now }).maxPendingAge).toBe("P14D");
  });

  it("counts from when we first saw the request", () => {
    expect(pendingExpiresAt("2026-03-01T00:00:00Z", "P2D")).toBe(T0 + 2 * DAY);
    expect(pendingExpiresAt("2026-03-01T00:00:00Z", "PT36H")).toBe(T0 + (36 * DAY) / 24);
  });

  it("tells the consumer why and how to ask again", () => {
    const text = pendingExpiredDescription("P2D");
    expect(text).toContain("P2D");
    expect(text).toMatch(/to ask again/i);
    expect(text.length).toBeLessThanOrEqual(140);
  });

  it("refuses a zero limit and a non-duration", () => {
    expect(() => parsePolicy("schemaVersion: 1\nrules: []\nmaxPendingAge: PT0S\n")).toThrow(/maxPendingAge/);
    expect(() => parsePolicy("schemaVersion: 1\nrules: []\nmaxPendingAge: 2 days\n")).toThrow(/maxPendingAge/);
  });
});

describe("stale connections: time-bound approvals", () => {
  it("carries validFor into approvals only", () => {
    const p = policy("");
    const now = "2026-03-01T00:00:00Z";
    expect(evaluatePolicy(p, { request: aRequest({ groupIds: ["blob"] }), now }).validFor).toBe("P90D");
    expect(evaluatePolicy(p, { request: aRequest({ groupIds: ["vault"] }), now }).validFor).toBeUndefined();
  });

  it("refuses validFor on a rejection, and a zero period", () => {
    const reject = "  - id: no\n    then: { verdict: reject, reason: No., validFor: P1D }";
    expect(() => policy(reject)).toThrow(/validFor: a rejection lasts/);
    const zero = "  - id: zero\n    then: { verdict: approve, reason: Yes., validFor: PT0M }";
    expect(() => policy(zero)).toThrow(/validFor: an approval must last longer than zero/);
  });

  it("gives notice a quarter of the period before the end, at most a week before", () => {
    expect(approvalWindow(T0, "P8D")).toEqual({ endsAt: T0 + 8 * DAY, noticeAt: T0 + 6 * DAY });
    expect(approvalWindow(T0, "P90D")).toEqual({ endsAt: T0 + 90 * DAY, noticeAt: T0 + 83 * DAY });
  });

  it("says when the approval ended and how to ask again", () => {
    const text = approvalEndedDescription(T0);
    expect(text).toContain("1 Mar 2026 00:00 UTC");
    expect(text).toMatch(/to ask again/i);
    expect(text.length).toBeLessThanOrEqual(140);
  });
});

describe("stale connections: retention", () => {
  const old = { azureStatus: "Rejected", updatedAt: "2026-03-01T00:00:00Z" };

  it("is due for Rejected and Disconnected connections unchanged for the whole period", () => {
    expect(retentionDue(old, T0 + 30 * DAY, "P30D")).toBe(true);
    expect(retentionDue({ ...old, azureStatus: "Disconnected" }, T0 + 31 * DAY, "P30D")).toBe(true);
    expect(retentionDue(old, T0 + 30 * DAY - 1, "P30D")).toBe(false);
  });

  it("never for live connections, unknown states, or ones already deleted", () => {
    for (const azureStatus of ["Approved", "Pending", "Unknown", undefined]) {
      expect(
        retentionDue(
          { ...old, ...(azureStatus ? { azureStatus } : { azureStatus: undefined }) },
          T0 + 99 * DAY,
          "P30D",
        ),
      ).toBe(false);
    }
    expect(retentionDue({ ...old, deletedAt: "2026-04-01T00:00:00Z" }, T0 + 99 * DAY, "P30D")).toBe(false);
  });
});
