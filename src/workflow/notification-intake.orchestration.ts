import type { CleanupInput, NotificationIntakeInput, ReviewInput } from "./contracts";
import { ActivityNames, OrchestrationNames } from "./names";
import { callActivity, type WorkflowContext, type WorkflowGenerator, type WorkflowTask } from "./workflow-context";
import { armConnectionOf } from "./recorded-connection";

/** Derive the review and clean-up instance ids; injected because hashing is not the workflow's job. */
export interface IntakeInstanceIds {
  review: (connectionId: string) => string;
  cleanup: (connectionId: string) => string;
}

export interface NotificationIntakeOutcome {
  providerResourceId: string;
  /** Named by the notification. */
  notified: number;
  /** Of those, what ARM lists on the resource: only these get a review (Pending) or a clean-up (Disconnected). */
  reviews: string[];
  cleanups: string[];
  /** Named by the notification, unknown to ARM: nothing was started or recorded for them. */
  unknownToArm: number;
  error?: { code: string; message: string };
}

/**
 * A resource notification names connections; ARM says which exist. The notification's own statuses decide nothing:
 * the resource's connections are listed (one paged read) and only those ARM has start work, in parallel, each
 * under its own instance id so they collapse with every other path.
 */
export function createNotificationIntakeOrchestration(ids: IntakeInstanceIds) {
  return function* notificationIntakeOrchestration(
    context: WorkflowContext,
  ): WorkflowGenerator<NotificationIntakeOutcome> {
    const input = context.df.getInput<NotificationIntakeInput>();
    const outcome: NotificationIntakeOutcome = {
      providerResourceId: input.providerResourceId,
      notified: input.connectionIds.length,
      reviews: [],
      cleanups: [],
      unknownToArm: 0,
    };
    const listed = yield* callActivity(context, ActivityNames.listNotifiedConnections, {
      providerResourceId: input.providerResourceId,
      connectionIds: input.connectionIds,
    });
    if (!listed.ok) return { ...outcome, error: { code: listed.code, message: listed.message } };
    outcome.unknownToArm = input.connectionIds.length - listed.value.length;
    const at = context.df.currentUtcDateTime.toISOString();
    const children: WorkflowTask[] = [];
    for (const connection of listed.value.map(armConnectionOf)) {
      if (connection.armStatus === "Pending") {
        const review: ReviewInput = {
          connectionId: connection.connectionId,
          source: "resource-notification",
          observedAt: input.observedAt,
          ...(input.eventId ? { eventId: input.eventId } : {}),
          requestedBy: "resource-notification",
          observed: { at, connection },
        };
        outcome.reviews.push(connection.connectionId);
        children.push(
          context.df.callSubOrchestrator(
            OrchestrationNames.connectionReview,
            review,
            ids.review(connection.connectionId),
          ),
        );
      } else if (connection.armStatus === "Disconnected") {
        const cleanup: CleanupInput = {
          connectionId: connection.connectionId,
          reason: "Azure lists the connection Disconnected.",
          observedAt: input.observedAt,
          ...(input.eventId ? { eventId: input.eventId } : {}),
        };
        outcome.cleanups.push(connection.connectionId);
        children.push(
          context.df.callSubOrchestrator(
            OrchestrationNames.connectionCleanup,
            cleanup,
            ids.cleanup(connection.connectionId),
          ),
        );
      }
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty Task.all throws at the yield; the catch swallows it
    if (children.length > 0) {
      try {
        yield context.df.Task.all(children);
      } catch {
        // A child refused because its instance already runs (another path started it): that is the point.
      }
    }
    return outcome;
  };
}
