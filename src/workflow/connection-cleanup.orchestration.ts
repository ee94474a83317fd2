import type { CleanupInput, CleanupOutcome } from "./contracts";
import { ActivityNames } from "./names";
import { callActivity, type WorkflowContext, type WorkflowGenerator } from "./workflow-context";

/**
 * Endpoint deleted or connection Disconnected, says a signal: ARM is asked first, and only a connection ARM shows
 * gone (Disconnected, or its endpoint 404) is cleaned up: the DNS records that carry this endpoint (never others),
 * the dead connection on the provider side, then the row marked removed and the tenant's quota released. A late or
 * forged signal about a live connection changes nothing.
 */
export function* connectionCleanupOrchestration(context: WorkflowContext): WorkflowGenerator<CleanupOutcome> {
  const input = context.df.getInput<CleanupInput>();
  const instanceId = context.df.instanceId;
  const at = (): string => context.df.currentUtcDateTime.toISOString();
  const outcome: CleanupOutcome = { cleaned: [], kept: [], failures: [] };

  context.df.setCustomStatus({ step: "finding-connections" });
  const targets = yield* callActivity(context, ActivityNames.findEndpointConnections, input);

  for (const target of targets) {
    try {
      context.df.setCustomStatus({ step: "confirming", connectionId: target.connectionId });
      const verdict = yield* callActivity(context, ActivityNames.confirmGone, {
        instanceId,
        target,
        at: at(),
      });
      if (!verdict.gone) {
        outcome.kept.push({ connectionId: target.connectionId, why: verdict.why });
        continue;
      }
      context.df.setCustomStatus({ step: "cleaning", connectionId: target.connectionId });
      // The provider side first: its step asks ARM again, so a connection that came back since the confirmation
      // (the consumer re-created the endpoint) keeps its DNS records, its row and its quota.
      const deleted = yield* callActivity(context, ActivityNames.deleteProviderConnection, {
        instanceId,
        connectionId: target.connectionId,
        at: at(),
      });
      if (deleted.ok && deleted.value === "kept") {
        outcome.kept.push({ connectionId: target.connectionId, why: "ARM showed the connection alive at deletion" });
        continue;
      }
      const dns = yield* callActivity(context, ActivityNames.removeDns, {
        instanceId,
        target,
        at: at(),
      });
      const providerConnection = deleted.ok ? deleted.value : `error ${deleted.code}`;
      if (!deleted.ok) {
        outcome.failures.push({ connectionId: target.connectionId, code: deleted.code, message: deleted.message });
      }
      yield* callActivity(context, ActivityNames.recordRemoval, {
        instanceId,
        target,
        reason: `${input.reason} Confirmed: ${verdict.why}.`,
        providerConnection,
        at: at(),
      });
      outcome.cleaned.push({
        connectionId: target.connectionId,
        dnsRemoved: dns.removed,
        dnsKept: dns.kept,
        providerConnection,
      });
    } catch (error) {
      // One connection's trouble does not stop the others; it is reported in the output.
      outcome.failures.push({
        connectionId: target.connectionId,
        code: "CLEANUP_FAILED",
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  context.df.setCustomStatus({ step: "done" });
  return outcome;
}
