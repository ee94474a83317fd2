/**
 * Structured log entries. The worker turns log arguments into text, so each entry is one line of JSON: App Insights
 * keeps it as the trace message and `parse_json(message)` gives the fields back, so a query on connectionId or
 * instanceId follows one connection from its event, through each activity, to its DNS record.
 */
import type { InvocationContext } from "@azure/functions";
import type { IntakeReport } from "../src/app/intake-service";

export interface LogFields {
  instanceId?: string | undefined;
  connectionId?: string | undefined;
  privateEndpointId?: string | undefined;
  eventId?: string | undefined;
  correlationId?: string | undefined;
  ruleId?: string | undefined;
  outcome?: string | undefined;
  code?: string | undefined;
  [field: string]: string | number | boolean | undefined;
}

export type LogLevel = "info" | "warn" | "error";
export type LogContext = Pick<InvocationContext, LogLevel | "invocationId">;

export function logEvent(context: LogContext, name: string, fields: LogFields, level: LogLevel = "info"): void {
  const entry: Record<string, unknown> = { event: name, invocationId: context.invocationId };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry[key] = value;
  context[level](JSON.stringify(entry));
}

/** The string at `key` of an object-shaped value, if there is one. */
export function textField(value: unknown, key: string): string | undefined {
  const found = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return typeof found === "string" ? found : undefined;
}

/** Wraps an activity so each run logs its name, instance, connection and outcome (or error code) in one entry. */
export function withActivityLog<I, O>(
  name: string,
  run: (input: I) => Promise<O>,
): (input: I, context: InvocationContext) => Promise<O> {
  return async (input, context) => {
    const subject: LogFields = {
      activity: name,
      instanceId: textField(input, "instanceId") ?? textField(context.triggerMetadata, "instanceId"),
      connectionId: textField(input, "connectionId"),
      privateEndpointId: textField(input, "privateEndpointId"),
      eventId: textField(input, "eventId"),
    };
    try {
      const result = await run(input);
      logEvent(context, "activity", { ...subject, ...outcomeOf(result) });
      return result;
    } catch (error) {
      // Thrown means transient (the durable retry policy runs it again) or a bug; either way the code is what to find.
      const code = textField(error, "code") ?? "UNEXPECTED";
      logEvent(context, "activity", { ...subject, outcome: "error", code, message: (error as Error).message }, "warn");
      throw error;
    }
  };
}

/** Activities answer a StepResult (ok + value, or ok false + code) or a plain value; pick what says how it went. */
function outcomeOf(result: unknown): LogFields {
  const step = result as { ok?: unknown; value?: unknown } | null | undefined;
  if (step?.ok === false) return { outcome: "failed", code: textField(result, "code") };
  const value = step?.ok === true ? step.value : result;
  return {
    outcome: textField(value, "verdict") ?? textField(value, "outcome") ?? textField(value, "state") ?? "ok",
    ruleId: textField(value, "ruleId"),
  };
}

/** One entry per signal an Event Grid delivery carried (or one warning when it was not an event at all). */
export function logIntakeReport(context: LogContext, eventId: string | undefined, report: IntakeReport): void {
  if (report.status === "invalid") {
    logEvent(context, "event-invalid", { eventId, code: report.code, outcome: "ignored; not retried" }, "warn");
  }
  for (const { action, signal, ...ids } of report.actions)
    logEvent(context, "event", { signal, outcome: action, ...ids });
}
