"use strict";
const fs = require("node:fs");
const path = require("node:path");
const df = require("durable-functions");
const { observed } = require("./state");

function count(key) {
  observed.calls[key] = (observed.calls[key] ?? 0) + 1;
  return observed.calls[key];
}

df.app.activity("double", { handler: (n) => (count("double"), n * 2) });
df.app.activity("greet", { handler: (name) => `Hello ${name}` });
df.app.activity("alwaysFails", {
  handler: () => {
    throw new Error("activity exploded");
  },
});
// Fails its first `failTimes` calls for a key, then succeeds: retries with backoff.
df.app.activity("flaky", {
  handler: (input) => {
    const n = count(`flaky:${input.key}`);
    if (n <= input.failTimes) throw new Error(`flaky attempt ${n} failed`);
    return { attempts: n };
  },
});
// For the crash test: marks that it started, then waits until the test opens the gate file.
df.app.activity("slowGate", {
  handler: async (input) => {
    fs.appendFileSync(path.join(input.dir, "started"), "x");
    while (!fs.existsSync(path.join(input.dir, "gate"))) await new Promise((r) => setTimeout(r, 20));
    return "gate passed";
  },
});

df.app.orchestration("threeStep", function* (context) {
  const a = yield context.df.callActivity("double", context.df.getInput());
  const b = yield context.df.callActivity("double", a);
  return yield context.df.callActivity("double", b);
});

df.app.orchestration("greeter", function* (context) {
  return yield context.df.callActivity("greet", context.df.getInput());
});

df.app.orchestration("retrying", function* (context) {
  const options = new df.RetryOptions(1000, context.df.getInput().maxAttempts);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 1500;
  return yield context.df.callActivityWithRetry("flaky", options, context.df.getInput());
});

df.app.orchestration("sleeper", function* (context) {
  const start = context.df.currentUtcDateTime;
  yield context.df.createTimer(new Date(start.getTime() + context.df.getInput().ms));
  return { started: start.toISOString(), woke: context.df.currentUtcDateTime.toISOString() };
});

// Two deadlines counted from the start: when time jumps past both, the second timer is created already due.
df.app.orchestration("twoDeadlines", function* (context) {
  const start = context.df.currentUtcDateTime.getTime();
  yield context.df.createTimer(new Date(start + context.df.getInput().ms));
  yield context.df.createTimer(new Date(start + 2 * context.df.getInput().ms));
  return "both passed";
});

df.app.orchestration("approval", function* (context) {
  context.df.setCustomStatus({ stage: "waiting" });
  const approval = context.df.waitForExternalEvent("Approval");
  const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
  const winner = yield context.df.Task.any([approval, deadline]);
  if (winner === approval) {
    deadline.cancel();
    context.df.setCustomStatus({ stage: "decided" });
    return { decision: approval.result };
  }
  return { decision: "timed out" };
});

// Waits for an event only after a gated activity, so a test can raise the event first.
df.app.orchestration("lateWaiter", function* (context) {
  yield context.df.callActivity("slowGate", context.df.getInput());
  const data = yield context.df.waitForExternalEvent("Go");
  return { got: data };
});

df.app.orchestration("fanOut", function* (context) {
  const results = yield context.df.Task.all([1, 2, 3].map((n) => context.df.callActivity("double", n)));
  return results.reduce((a, b) => a + b, 0);
});

df.app.orchestration("parent", function* (context) {
  const child = yield context.df.callSubOrchestrator(
    "threeStep",
    context.df.getInput(),
    `${context.df.instanceId}-child`,
  );
  return child + 1;
});

df.app.orchestration("counter", function* (context) {
  const n = context.df.getInput();
  yield context.df.callActivity("double", n);
  if (n < 3) {
    context.df.continueAsNew(n + 1);
    return;
  }
  return n;
});

let nondeterministicRuns = 0;
df.app.orchestration("nondeterministic", function* (context) {
  nondeterministicRuns++;
  // The first run schedules "double"; a replay schedules "greet": the host must notice.
  const first =
    nondeterministicRuns === 1 ? context.df.callActivity("double", 1) : context.df.callActivity("greet", "x");
  yield first;
  yield context.df.callActivity("double", 2);
  return "unreachable";
});

df.app.orchestration("parentOfFailing", function* (context) {
  return yield context.df.callSubOrchestrator("failing");
});

df.app.orchestration("failing", function* (context) {
  yield context.df.callActivity("alwaysFails");
  return "unreachable";
});

df.app.orchestration("crashFlow", function* (context) {
  const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
  const gate = context.df.callActivity("slowGate", context.df.getInput());
  const [, gateResult] = yield context.df.Task.all([timer, gate]);
  const doubled = yield context.df.callActivity("double", 21);
  return { gateResult, doubled };
});
