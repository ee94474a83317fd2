import { describe, expect, it } from "vitest";
import { ActivityNames } from "../../../src/workflow/names";
import { retentionOrchestration, type RetentionReport } from "../../../src/workflow/retention.orchestration";
import { runOrchestration } from "../../support/orchestration-driver";

// What a retention run reports, in its output and in the status an operator sees while it runs and after.

describe("the retention run's report", () => {
  it("files each connection under what its deletion found, and counts them in the status", async () => {
    const answers: Record<string, string> = { a: "deleted", b: "kept", c: "deleted", d: "absent" };
    const listed: unknown[] = [];
    const result = await runOrchestration<RetentionReport>(retentionOrchestration, {
      instanceId: "retention:1",
      input: { retention: "P30D", limit: 10 },
      start: new Date("2026-03-01T00:00:00Z"),
      activities: {
        [ActivityNames.listRetained]: async (input: never) => {
          listed.push(input);
          return Object.keys(answers);
        },
        [ActivityNames.deleteRetained]: async (input: { connectionId: string }) => answers[input.connectionId],
      },
    });
    expect(listed).toEqual([{ now: "2026-03-01T00:00:00.000Z", retention: "P30D", limit: 10 }]);
    expect(result.output).toEqual({ deleted: ["a", "c"], absent: ["d"], kept: ["b"] });
    expect(result.statuses).toEqual([{ step: "done", deleted: 2, absent: 1, kept: 1 }]);
  });
});
