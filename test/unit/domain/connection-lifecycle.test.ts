import { describe, expect, it } from "vitest";
import {
  canTransition,
  isAwaitingDecision,
  REVIEW_TRANSITIONS,
  transition,
  type ReviewState,
} from "../../../src/domain/connection";
import { DomainError } from "../../../src/domain/errors";

const STATES = Object.keys(REVIEW_TRANSITIONS) as ReviewState[];

describe("review life cycle", () => {
  it("allows the normal paths and repeats of the same state", () => {
    expect(transition("received", "awaiting-approval")).toBe("awaiting-approval");
    expect(transition("awaiting-approval", "approved")).toBe("approved");
    expect(transition("approved", "removed")).toBe("removed");
    expect(transition("removed", "received")).toBe("received");
    for (const s of STATES) expect(canTransition(s, s)).toBe(true);
  });

  it("never goes from a rejection back to approval, nor skips review into approval once rejected", () => {
    expect(canTransition("rejected", "approved")).toBe(false);
    expect(canTransition("failed", "approved")).toBe(false);
    expect(() => transition("rejected", "approved")).toThrow(DomainError);
    expect(() => transition("rejected", "approved")).toThrow(/cannot become "approved"/);
  });

  it("lets every state reach removal", () => {
    for (const s of STATES) expect(canTransition(s, "removed")).toBe(true);
  });

  it("decides only Pending connections", () => {
    expect(isAwaitingDecision("Pending")).toBe(true);
    for (const s of ["Approved", "Rejected", "Disconnected"] as const) expect(isAwaitingDecision(s)).toBe(false);
  });
});
