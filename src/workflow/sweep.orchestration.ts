import type { SweepError, SweepKind, SweepListing, SweepReport } from "../ports/bookkeeping.port";
import { boundedCalls, SWEEP_CALLS, type BoundedCallOptions } from "./bounded-calls";
import { SweepNames } from "./names";
import { ACTIVITY_RETRY, type WorkflowContext, type WorkflowGenerator } from "./workflow-context";

export interface SweepRunInput {
  kind: SweepKind;
  listing: SweepListing;
  /** MANAGED_RESOURCE_IDS at the tick: subscriptions, resource groups or resources. */
  scopes: string[];
  /** Bounds for tests and the bench; the timer leaves them at SWEEP_CALLS. */
  calls?: BoundedCallOptions;
}

/** What listing one scope gives: the provider resources found in it. */
export interface ListResourcesInput {
  scope: string;
}
export interface ListedResources {
  resourceIds: string[];
  armCalls: number;
}

/** One resource's (or one Resource Graph page's) connections, handled by the per-connection step. */
export interface SweepResourceInput {
  kind: SweepKind;
  resourceId: string;
  /** The orchestration's time: audit step ids and observed times derive from it, so a retry writes the same. */
  at: string;
  instanceId: string;
}
export interface GraphPageInput {
  kind: SweepKind;
  scopes: string[];
  skipToken?: string;
  at: string;
  instanceId: string;
  /**
   * The report so far, when the step that ends the listing is the sweep's last: it saves the report itself. A
   * separate step would queue behind the work of every review the sweep just started.
   */
  report?: SweepReport;
}

/** Counts one activity adds to the report. */
export type SweepTally = Pick<
  SweepReport,
  "resources" | "connections" | "started" | "alreadyRunning" | "drift" | "armCalls" | "sample" | "errors"
> & {
  /** Resource Graph only: where the next page starts. */
  skipToken?: string;
  /** Resource Graph only: when the step that ended the listing saved the whole report (its finishedAt). */
  savedAt?: string;
};

/** A report with nothing counted yet. */
export function emptyReport(
  run: Pick<SweepReport, "kind" | "instanceId" | "listing" | "dryRun" | "scopes">,
  at: string,
): SweepReport {
  return {
    ...run,
    startedAt: at,
    finishedAt: at,
    resources: 0,
    connections: 0,
    started: 0,
    alreadyRunning: 0,
    drift: 0,
    armCalls: 0,
    retries: 0,
    errors: [],
    sample: [],
  };
}

const MAX_SAMPLE = 100;
const MAX_ERRORS = 100;

/**
 * One sweep per timer tick (instance id from the tick): lists the managed estate with a bounded number of ARM
 * calls in flight and hands every connection to the per-connection step (start a review or a clean-up, record
 * drift). Each activity is idempotent (starts collapse on the review's instance id; audit steps on the sweep's), so
 * a crash and replay loses nothing and repeats no write. The report is saved at the end.
 */
export function* sweepOrchestration(context: WorkflowContext): WorkflowGenerator<SweepReport> {
  const input = context.df.getInput<SweepRunInput>();
  const instanceId = context.df.instanceId;
  const calls = input.calls ?? SWEEP_CALLS;
  const at = context.df.currentUtcDateTime.toISOString();
  const report = emptyReport(
    { kind: input.kind, instanceId, listing: input.listing, dryRun: false, scopes: input.scopes.length },
    at,
  );

  context.df.setCustomStatus({ step: "listing", listing: input.listing });
  if (input.listing === "resource-graph") {
    let skipToken: string | undefined;
    do {
      const page: GraphPageInput = {
        kind: input.kind,
        scopes: input.scopes,
        ...(skipToken ? { skipToken } : {}),
        at,
        instanceId,
        // A copy as it stands now: the report goes on adding up after this step is scheduled.
        ...(input.kind === "review"
          ? { report: { ...report, errors: [...report.errors], sample: [...report.sample] } }
          : {}),
      };
      const result = yield* boundedCalls<GraphPageInput, SweepTally>(context, SweepNames.graphPage, [page], calls);
      report.retries += result.retries;
      const outcome = result.outcomes[0]!;
      if (outcome.kind === "failed") {
        addError(report, { scope: "resource-graph", code: outcome.code, message: outcome.message });
        break;
      }
      addTally(report, outcome.value);
      skipToken = outcome.value.skipToken;
      if (outcome.value.savedAt) {
        report.finishedAt = outcome.value.savedAt;
        // The saved copy lacks the retries of the step that saved it: in that rare case it is saved again, whole.
        if (result.retries > 0) yield* callSweepActivity<null>(context, SweepNames.recordReport, report);
        context.df.setCustomStatus({ step: "done" });
        return report;
      }
    } while (skipToken);
  } else {
    const listed = yield* boundedCalls<ListResourcesInput, ListedResources>(
      context,
      SweepNames.listResources,
      input.scopes.map((scope) => ({ scope })),
      calls,
    );
    report.retries += listed.retries;
    const resourceIds: string[] = [];
    listed.outcomes.forEach((outcome, i) => {
      if (outcome.kind === "failed") addError(report, { scope: input.scopes[i]!, ...outcome });
      else {
        report.armCalls += outcome.value.armCalls;
        resourceIds.push(...outcome.value.resourceIds);
      }
    });
    const targets = unique(resourceIds);
    context.df.setCustomStatus({ step: "sweeping", resources: targets.length });
    const swept = yield* boundedCalls<SweepResourceInput, SweepTally>(
      context,
      SweepNames.sweepResource,
      targets.map((resourceId) => ({ kind: input.kind, resourceId, at, instanceId })),
      calls,
    );
    report.retries += swept.retries;
    swept.outcomes.forEach((outcome, i) => {
      if (outcome.kind === "failed") addError(report, { scope: targets[i]!, ...outcome });
      else addTally(report, outcome.value);
    });
  }

  if (input.kind === "cleanup") {
    context.df.setCustomStatus({ step: "cleanup-extras" });
    report.cleanup = yield* callSweepActivity<Record<string, unknown>>(context, SweepNames.cleanupExtras, { at });
  }
  report.finishedAt = context.df.currentUtcDateTime.toISOString();
  yield* callSweepActivity<null>(context, SweepNames.recordReport, report);
  context.df.setCustomStatus({ step: "done" });
  return report;
}

/** The sweep's activities register apart from the review's typed contracts (functions/sweep.ts). */
function* callSweepActivity<T>(context: WorkflowContext, name: string, input: unknown): WorkflowGenerator<T> {
  return (yield context.df.callActivityWithRetry(name, ACTIVITY_RETRY, input)) as T;
}

/** Adds one activity's counts to the report (bounded lists: the report stays one small row). */
export function addTally(report: Omit<SweepTally, "skipToken" | "savedAt">, tally: SweepTally): void {
  report.resources += tally.resources;
  report.connections += tally.connections;
  report.started += tally.started;
  report.alreadyRunning += tally.alreadyRunning;
  report.drift += tally.drift;
  report.armCalls += tally.armCalls;
  report.sample.push(...tally.sample.slice(0, MAX_SAMPLE - report.sample.length));
  for (const error of tally.errors) addError(report, error);
}

function addError(report: Pick<SweepReport, "errors">, error: SweepError): void {
  if (report.errors.length < MAX_ERRORS)
    report.errors.push({ scope: error.scope, code: error.code, message: error.message });
}

function unique(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    // Stryker disable next-line MethodExpression: upper or lower case folds ASCII resource ids alike
    const k = id.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
