import { describe, expect, it } from "vitest";
import type { SweepReport } from "../../../src/ports/bookkeeping.port";
import type { CallOutcome } from "../../../src/workflow/bounded-calls";
import { SweepNames } from "../../../src/workflow/names";
import {
  sweepOrchestration,
  type GraphPageInput,
  type SweepRunInput,
  type SweepTally,
} from "../../../src/workflow/sweep.orchestration";
import { replay, runOrchestration, type ActivityHandler, type DriverOptions } from "../../support/orchestration-driver";

// The sweep's report as an operator reads it, from scripted activities: what each listing added up to, which
// scopes failed, how many tries were retried, and that the lists in the one report row stay bounded.

const START = new Date("2026-01-01T09:00:00.000Z");
const calls = { maxInFlight: 4, maxAttempts: 3, firstBackoffMs: 1_000, maxBackoffMs: 10_000 };

const tally = (extra: Partial<SweepTally> = {}): SweepTally => ({
  resources: 1,
  connections: 2,
  started: 1,
  alreadyRunning: 1,
  drift: 0,
  armCalls: 3,
  sample: [],
  errors: [],
  ...extra,
});
const done = <T>(value: T): CallOutcome<T> => ({ kind: "done", value });
const retry: CallOutcome<never> = { kind: "retry", code: "ARM_THROTTLED", message: "429" };

async function sweep(input: Partial<SweepRunInput>, activities: Record<string, ActivityHandler>) {
  const reports: SweepReport[] = [];
  const options: DriverOptions = {
    instanceId: "sweep-1",
    start: START,
    input: { kind: "review", listing: "per-resource", scopes: ["/s/a"], calls, ...input },
    activities: {
      ...activities,
      [SweepNames.recordReport]: async (report: SweepReport) => {
        reports.push(report);
        return null;
      },
    },
  };
  const result = await runOrchestration(sweepOrchestration, options);
  if (result.error) throw result.error;
  expect(replay(sweepOrchestration, options, result.history)).toEqual(result.output);
  expect(reports).toEqual([result.output]);
  return result;
}

/** An activity answering each call in turn from `answers`, recording its inputs. */
function scripted<I>(answers: ((input: I) => unknown)[]) {
  const inputs: I[] = [];
  const handler = (async (input: I) => {
    inputs.push(input);
    const answer = answers[Math.min(inputs.length - 1, answers.length - 1)]!;
    return answer(input);
  }) as ActivityHandler;
  return { inputs, handler };
}

describe("the sweep's report, per resource", () => {
  it("adds up every listing, sweeps each resource once, reports the scope that failed, counts retries", async () => {
    let listTries = 0;
    const listResources = (async ({ scope }: { scope: string }) => {
      if (scope === "/s/b") return { kind: "failed", code: "ARM_FORBIDDEN", message: "403 on b" };
      listTries += 1;
      // The first try is throttled; the second lists the same resource twice, in two spellings.
      return listTries === 1 ? retry : done({ resourceIds: ["/s/a/R1", "/S/A/r1", "/s/a/r2"], armCalls: 2 });
    }) as ActivityHandler;
    const sweepResource = scripted<{ resourceId: string }>([
      () => retry,
      () => done(tally({ sample: ["c1"] })),
      () => done(tally({ sample: ["c2"], drift: 1 })),
    ]);

    const result = await sweep(
      { scopes: ["/s/a", "/s/b"] },
      { [SweepNames.listResources]: listResources, [SweepNames.sweepResource]: sweepResource.handler },
    );

    expect(sweepResource.inputs.map((i) => i.resourceId).sort()).toEqual(["/s/a/R1", "/s/a/R1", "/s/a/r2"]);
    expect(sweepResource.inputs[0]).toEqual({
      kind: "review",
      resourceId: "/s/a/R1",
      at: START.toISOString(),
      instanceId: "sweep-1",
    });
    expect(result.output).toMatchObject({
      kind: "review",
      instanceId: "sweep-1",
      listing: "per-resource",
      dryRun: false,
      scopes: 2,
      startedAt: START.toISOString(),
      resources: 2,
      connections: 4,
      started: 2,
      alreadyRunning: 2,
      drift: 1,
      armCalls: 2 + 3 + 3,
      retries: 2,
      errors: [{ scope: "/s/b", code: "ARM_FORBIDDEN", message: "403 on b" }],
    });
    expect([...result.output!.sample].sort()).toEqual(["c1", "c2"]);
    expect(result.statuses).toEqual([
      { step: "listing", listing: "per-resource" },
      { step: "sweeping", resources: 2 },
      { step: "done" },
    ]);
  });

  it("keeps at most 100 sampled connections and 100 errors in the report", async () => {
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const errors = (prefix: string, n: number) => ids(prefix, n).map((scope) => ({ scope, code: "X", message: "m" }));
    const sweepResource = scripted([
      () => done(tally({ sample: ids("a", 60), errors: errors("a", 60) })),
      () => done(tally({ sample: ids("b", 60), errors: errors("b", 60) })),
    ]);
    const result = await sweep(
      {},
      {
        [SweepNames.listResources]: async () => done({ resourceIds: ["/s/a/r1", "/s/a/r2"], armCalls: 1 }),
        [SweepNames.sweepResource]: sweepResource.handler,
      },
    );
    expect(result.output!.sample).toEqual([...ids("a", 60), ...ids("b", 40)]);
    expect(result.output!.errors.map((e) => e.scope)).toEqual([...ids("a", 60), ...ids("b", 40)]);
  });

  it("a sweep of nothing reports nothing", async () => {
    const result = await sweep({}, { [SweepNames.listResources]: async () => done({ resourceIds: [], armCalls: 1 }) });
    expect(result.output).toMatchObject({ resources: 0, started: 0, armCalls: 1, retries: 0, errors: [], sample: [] });
  });
});

describe("the sweep's report, through Resource Graph", () => {
  it("follows the pages' skip tokens and adds every page up", async () => {
    const graphPage = scripted<GraphPageInput>([
      () => retry,
      () => done(tally({ skipToken: "t1", sample: ["c1"], errors: [{ scope: "/s/a/r9", code: "X", message: "m" }] })),
      () => done(tally({ sample: ["c2"] })),
    ]);
    const result = await sweep(
      { listing: "resource-graph", scopes: ["/s/a", "/s/b"] },
      { [SweepNames.graphPage]: graphPage.handler },
    );
    const first = { kind: "review", scopes: ["/s/a", "/s/b"], at: START.toISOString(), instanceId: "sweep-1" };
    expect(graphPage.inputs.map(({ report: _report, ...page }) => page)).toEqual([
      first,
      first,
      { ...first, skipToken: "t1" },
    ]);
    // Each step is handed the report as it stood when it was scheduled (the last step may save it).
    expect(graphPage.inputs.map((page) => page.report?.connections)).toEqual([0, 0, 2]);
    expect(graphPage.inputs.map((page) => page.report?.sample)).toEqual([[], [], ["c1"]]);
    expect(graphPage.inputs.map((page) => page.report?.errors.length)).toEqual([0, 0, 1]);
    expect(result.output).toMatchObject({
      listing: "resource-graph",
      resources: 2,
      connections: 4,
      armCalls: 6,
      retries: 1,
      errors: [{ scope: "/s/a/r9", code: "X", message: "m" }],
      sample: ["c1", "c2"],
    });
    expect(result.statuses).toEqual([{ step: "listing", listing: "resource-graph" }, { step: "done" }]);
  });

  it("ends when the step that ended the listing saved the report, with that step's time and every count", async () => {
    const saved = "2026-01-01T09:04:00.000Z";
    const graphPage = scripted<GraphPageInput>([
      () => done(tally({ skipToken: "t1", sample: ["c1"] })),
      (page) => done(tally({ sample: ["c2"], savedAt: page.report ? saved : undefined })),
    ]);
    const options: DriverOptions = {
      instanceId: "sweep-1",
      start: START,
      input: { kind: "review", listing: "resource-graph", scopes: ["/s/a"], calls },
      activities: { [SweepNames.graphPage]: graphPage.handler },
    };
    const result = await runOrchestration(sweepOrchestration, options);
    expect(result.error).toBeUndefined();
    expect(replay(sweepOrchestration, options, result.history)).toEqual(result.output);
    expect(result.output).toMatchObject({ finishedAt: saved, connections: 4, started: 2, sample: ["c1", "c2"] });
    expect(result.statuses).toEqual([{ step: "listing", listing: "resource-graph" }, { step: "done" }]);
  });

  it("saves the report again, with every retry counted, when the step that saved it had been retried", async () => {
    const saved = "2026-01-01T09:04:00.000Z";
    const graphPage = scripted<GraphPageInput>([() => retry, () => done(tally({ savedAt: saved }))]);
    const result = await sweep({ listing: "resource-graph" }, { [SweepNames.graphPage]: graphPage.handler });
    expect(result.output).toMatchObject({ finishedAt: saved, retries: 1, connections: 2 });
  });

  it("a page that fails ends the listing and is reported for Resource Graph", async () => {
    const graphPage = scripted<GraphPageInput>([
      () => done(tally({ skipToken: "t1" })),
      () => ({ kind: "failed", code: "GRAPH_FAILED", message: "bad gateway" }),
      () => done(tally()),
    ]);
    const result = await sweep({ listing: "resource-graph" }, { [SweepNames.graphPage]: graphPage.handler });
    expect(graphPage.inputs).toHaveLength(2);
    expect(result.output).toMatchObject({
      resources: 1,
      errors: [{ scope: "resource-graph", code: "GRAPH_FAILED", message: "bad gateway" }],
    });
  });
});

describe("the clean-up sweep", () => {
  it("through Resource Graph, leaves the report to its own last step: its other duties come after the listing", async () => {
    const graphPage = scripted<GraphPageInput>([() => done(tally())]);
    const extras = scripted<{ at: string }>([() => ({ orphanedRecords: 0 })]);
    const result = await sweep(
      { kind: "cleanup", listing: "resource-graph" },
      { [SweepNames.graphPage]: graphPage.handler, [SweepNames.cleanupExtras]: extras.handler },
    );
    expect(graphPage.inputs[0]?.report).toBeUndefined();
    expect(extras.inputs).toHaveLength(1);
    expect(result.output).toMatchObject({ kind: "cleanup", connections: 2 });
  });

  it("runs the clean-up's other duties once, at the sweep's time, and reports what they did", async () => {
    const extras = scripted<{ at: string }>([() => ({ orphanedRecords: 2 })]);
    const result = await sweep(
      { kind: "cleanup" },
      {
        [SweepNames.listResources]: async () => done({ resourceIds: [], armCalls: 0 }),
        [SweepNames.cleanupExtras]: extras.handler,
      },
    );
    expect(extras.inputs).toEqual([{ at: START.toISOString() }]);
    expect(result.output).toMatchObject({ kind: "cleanup", cleanup: { orphanedRecords: 2 } });
    expect(result.statuses).toContainEqual({ step: "cleanup-extras" });
  });
});
