import { EventType, type HistoryEvent } from "./history";
import type { InstanceState } from "./instance-state";
import { withoutStack } from "../http/request-parts";

const EVENT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k]));

/** The status object the extension returns; `input` and `output` are always present (null when empty). */
export function statusBody(s: InstanceState, q: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: s.name,
    instanceId: s.instanceId,
    runtimeStatus: s.status,
    input: q.get("showInput") === "false" ? null : parseText(s.inputText),
    customStatus: s.customStatus ?? null,
    output: typeof s.output === "string" ? withoutStack(s.output) : (s.output ?? null),
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
  };
  if (q.get("showHistory") === "true") {
    const withOutput = q.get("showHistoryOutput") === "true";
    const events = s.history.filter(
      (e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted,
    );
    body.historyEvents = events.map((e) => friendlyEvent(e, withOutput));
    body.history = body.historyEvents;
  }
  return body;
}

function friendlyEvent(e: HistoryEvent, withOutput: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    EventType: EVENT_NAMES[e.EventType] ?? String(e.EventType),
    Timestamp: e.Timestamp,
  };
  if (e.Name !== undefined) out.FunctionName = e.Name;
  if (e.EventId >= 0) out.EventId = e.EventId;
  if (e.TaskScheduledId !== undefined) out.TaskScheduledId = e.TaskScheduledId;
  if (e.TimerId !== undefined) out.TimerId = e.TimerId;
  if (e.FireAt !== undefined) out.FireAt = e.FireAt;
  if (e.Reason !== undefined) out.Reason = withoutStack(e.Reason);
  if (e.InstanceId !== undefined) out.InstanceId = e.InstanceId;
  if (withOutput) {
    if (e.Input !== undefined) out.Input = parseText(e.Input ?? null);
    if (e.Result !== undefined) out.Result = parseText(e.Result);
  }
  return out;
}

function parseText(text: string | null): unknown {
  if (text === null || text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
