import { describe, expect, it } from "vitest";
import { median, row } from "../../bench/harness";

describe("bench harness", () => {
  it("takes the median of odd and even samples", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it("reports the ratio to the baseline", () => {
    expect(row("x", "ops/s", [20, 20, 20], { name: "b", samples: [10, 10, 10] }).ratio).toBe(2);
  });
});
