import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { dryRunSweep } from "../src/app/sweep-dry-run";
import { latestSweep, sweepDryRun } from "../src/app/sweeps-api";
import {
  getBookkeeping,
  getCallMeter,
  getConfig,
  getConnectionGraph,
  getDnsRegistrar,
  getGateway,
} from "../src/composition-root";
import { answer, durableClientInput, orchestrationClient } from "./shared";

/** GET /api/sweeps/latest?kind=review|cleanup */
export async function getLatestSweep(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => latestSweep(request.query, await getBookkeeping()));
}

/** POST /api/sweeps/dry-run?kind=review|cleanup: reads ARM and our tables, writes nothing. */
export async function postSweepDryRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, () =>
    sweepDryRun(request.query, async (kind) => {
      const cfg = getConfig();
      const deps = {
        gateway: await getGateway(),
        ...(cfg.sweepListing === "resource-graph" ? { graph: await getConnectionGraph() } : {}),
        bookkeeping: await getBookkeeping(),
        client: orchestrationClient(context),
        meter: getCallMeter(),
        dns: await getDnsRegistrar(),
        log: (m: string) => context.log(m),
        now: () => new Date().toISOString(),
      };
      return dryRunSweep(deps, kind, cfg.sweepListing, cfg.managedResourceIds);
    }),
  );
}

app.http("sweeps-latest", {
  methods: ["GET"],
  authLevel: "function",
  route: "sweeps/latest",
  handler: getLatestSweep,
});

app.http("sweeps-dry-run", {
  methods: ["POST"],
  authLevel: "function",
  route: "sweeps/dry-run",
  extraInputs: [durableClientInput],
  handler: postSweepDryRun,
});
