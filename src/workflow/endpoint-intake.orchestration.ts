import type { ArmConnection } from "../ports/connection-gateway.port";
import type { EndpointIntakeInput, ResolvedEndpoint, ReviewInput, ReviewOutcome, StepResult } from "./contracts";
import { ActivityNames, OrchestrationNames } from "./names";
import { callActivity, type WorkflowContext, type WorkflowGenerator } from "./workflow-context";

/**
 * The event was answered long ago, so a read that fails after the activity's own retries must not lose the
 * connection: the intake waits on a durable timer and tries again, with growing pauses, a bounded number of times
 * (then the sweep is the safety net). Permanent answers (404, forbidden) are final at once.
 */
export const INTAKE_RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];

// string[]: the output of an older version of the activity, still in the history of instances started by it.
type Resolved = StepResult<ResolvedEndpoint | string[]>;

function* resolveWithRetry(context: WorkflowContext, privateEndpointId: string): WorkflowGenerator<Resolved> {
  for (let attempt = 0; ; attempt++) {
    try {
      return yield* callActivity(context, ActivityNames.resolveEndpoint, { privateEndpointId });
    } catch (error) {
      const delay = INTAKE_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        const why = error instanceof Error ? error.message : String(error);
        return { ok: false, code: "INTAKE_RETRIES_EXHAUSTED", message: `Gave up reading the endpoint: ${why}` };
      }
      context.df.setCustomStatus({ step: "waiting-to-retry", attempt: attempt + 1 });
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay));
    }
  }
}

/** Derives the review instance id from a connection id; injected because hashing is not the workflow's job. */
export type ReviewInstanceId = (connectionId: string) => string;

export interface EndpointIntakeOutcome {
  privateEndpointId: string;
  connectionIds: string[];
  reviews: { connectionId: string; state: string }[];
  error?: { code: string; message: string };
}

/**
 * A consumer wrote a private endpoint: find the connection(s) it made on our resources (an activity reads ARM),
 * then run each one's review as a sub-orchestration under the review's own instance id, so it collapses with
 * reviews started by any other path. A review already running makes its sub-orchestration call fail: that is fine.
 */
export function createEndpointIntakeOrchestration(reviewInstanceId: ReviewInstanceId) {
  return function* endpointIntakeOrchestration(context: WorkflowContext): WorkflowGenerator<EndpointIntakeOutcome> {
    const input = context.df.getInput<EndpointIntakeInput>();
    const resolved = yield* resolveWithRetry(context, input.privateEndpointId);
    if (!resolved.ok) {
      return {
        privateEndpointId: input.privateEndpointId,
        connectionIds: [],
        reviews: [],
        error: { code: resolved.code, message: resolved.message },
      };
    }
    const found: { connectionId: string; connection?: ArmConnection }[] = Array.isArray(resolved.value)
      ? resolved.value.map((connectionId) => ({ connectionId }))
      : resolved.value.connections.map((connection) => ({ connectionId: connection.connectionId, connection }));
    const endpoint = Array.isArray(resolved.value) ? undefined : resolved.value.endpoint;
    const at = context.df.currentUtcDateTime.toISOString();
    const connectionIds = found.map((f) => f.connectionId);
    const reviews: EndpointIntakeOutcome["reviews"] = [];
    for (const { connectionId, connection } of found) {
      const reviewInput: ReviewInput = {
        connectionId,
        source: "event-grid",
        observedAt: input.observedAt,
        ...(input.eventId ? { eventId: input.eventId } : {}),
        ...(input.claimsTenantId ? { claimsTenantId: input.claimsTenantId } : {}),
        requestedBy: "event-grid",
        // What resolution just read, so the review does not read it again.
        ...(connection || endpoint
          ? { observed: { at, ...(connection ? { connection } : {}), ...(endpoint ? { endpoint } : {}) } }
          : {}),
      };
      try {
        const outcome = (yield context.df.callSubOrchestrator(
          OrchestrationNames.connectionReview,
          reviewInput,
          reviewInstanceId(connectionId),
        )) as ReviewOutcome;
        reviews.push({ connectionId, state: outcome.state });
      } catch {
        reviews.push({ connectionId, state: "already-running" });
      }
    }
    return { privateEndpointId: input.privateEndpointId, connectionIds, reviews };
  };
}
