import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { dryRunSweep } from "../src/app/sweep-dry-run";
import { latestSweep, sweepDryRun } from "../src/app/sweeps-api";
import { getBookkeeping, getConfig, getDnsRegistrar } from "../src/composition-root";
import { answer, durableClientInput, sweepPorts } from "./shared";

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
        ...(await sweepPorts(context)),
        dns: await getDnsRegistrar(),
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
