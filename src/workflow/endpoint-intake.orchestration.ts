import type { ConnectionState } from "../ports/connection-gateway.port";
import type { EndpointIntakeInput, ResolvedEndpoint, ReviewInput, ReviewOutcome, StepResult } from "./contracts";
import { ActivityNames, OrchestrationNames } from "./names";
import { callActivity, type WorkflowContext, type WorkflowGenerator } from "./workflow-context";

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
    // string[]: the output of an older version of the activity, still in the history of instances started by it.
    const resolved = yield* callActivity<StepResult<ResolvedEndpoint | string[]>>(
      context,
      ActivityNames.resolveEndpoint,
      {
        privateEndpointId: input.privateEndpointId,
      },
    );
    if (!resolved.ok) {
      return {
        privateEndpointId: input.privateEndpointId,
        connectionIds: [],
        reviews: [],
        error: { code: resolved.code, message: resolved.message },
      };
    }
    const found: { connectionId: string; connection?: ConnectionState }[] = Array.isArray(resolved.value)
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
