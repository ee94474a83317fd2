import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DemoClient } from "../../src/cli/demo/demo-client";
import { runDemoScenario, type TimelineEntry } from "../../src/cli/demo/demo-scenario";
import { startE2eStack, type E2eStack } from "./e2e-stack";

/** `npm run demo`'s scenario against the running product, as a newcomer would run it after `npm start`. */
describe("the demo scenario end to end", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("shows auto-approve, reject by policy, a person approving on the page, and a deletion that cleans up DNS", async () => {
    const client = new DemoClient({
      apiUrl: `${stack.devhost.url}/api`,
      devhostUrl: stack.devhost.url,
      localKey: stack.devhost.localKey,
      masterKey: stack.devhost.keys.master,
      sandboxUrl: stack.sandbox.url,
      sandboxCaFile: stack.sandbox.caFile,
    });
    const timeline: TimelineEntry[] = [];
    let ticks = 0;

    const result = await runDemoScenario({
      client,
      runId: "e2e",
      print: (e) => timeline.push(e),
      pause: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
      elapsed: () => (ticks += 1),
      timeoutMs: 100_000,
      approve: true,
    });

    expect(result.steps.map((s) => [s.name, s.got])).toEqual([
      ["known tenant → approved with DNS", "approved"],
      ["production without ticket → rejected", "rejected"],
      ["unknown tenant → waits for a person", "awaiting-approval"],
      ["a person decides on the approval page → approved", "approved"],
      ["endpoint deleted → DNS removed", "removed"],
    ]);
    expect(result.ok).toBe(true);
    const lines = timeline.map((e) => e.what);
    expect(lines).toContainEqual(expect.stringMatching(/^DNS created: .*privatelink\.postgres\.database\.azure\.com/));
    expect(lines).toContainEqual(expect.stringMatching(/^DNS removed: /));
    expect(lines).toContainEqual(expect.stringMatching(/rule production-needs-change-ticket/));
    expect(lines).toContainEqual(expect.stringMatching(/^approval link: http:\/\/127\.0\.0\.1:\d+\/api\/approvals\//));
    expect(lines).toContainEqual("the page answered 303");
  });
});
