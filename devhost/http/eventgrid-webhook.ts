import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registration } from "../core/registry";
import { BodyTooLargeError, parseJson, readBody, sendError, sendJson } from "./respond";

export type InvokeEventGrid = (reg: Registration, event: Record<string, unknown>) => Promise<void>;

/**
 * `/runtime/webhooks/eventgrid?functionName=<name>` as the Event Grid extension serves it: the subscription
 * validation handshake, the CloudEvents OPTIONS handshake, and batches delivered one event per invocation.
 */
export async function handleEventGrid(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  findFunction: (name: string) => Registration | undefined,
  invoke: InvokeEventGrid,
  bodyLimit: number,
): Promise<void> {
  if (req.method === "OPTIONS") {
    // CloudEvents abuse-protection handshake: echo the origin to allow delivery.
    const origin = header(req, "webhook-request-origin");
    if (!origin)
      return sendError(
        res,
        400,
        "MissingOrigin",
        "Send the WebHook-Request-Origin header for the CloudEvents handshake.",
      );
    res.writeHead(200, { "WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*" }).end();
    return;
  }
  if (req.method !== "POST")
    return sendError(res, 405, "MethodNotAllowed", "Deliver events with POST (or OPTIONS for the handshake).");
  const name = url.searchParams.get("functionName");
  if (!name)
    return sendError(res, 400, "MissingFunctionName", "Add ?functionName=<name of an Event Grid function> to the URL.");
  const reg = findFunction(name);
  if (!reg || reg.kind !== "eventGrid")
    return sendError(res, 404, "FunctionNotFound", `No Event Grid function named '${name}' is registered.`);
  let body: Buffer;
  try {
    body = await readBody(req, bodyLimit);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      return sendError(
        res,
        413,
        "PayloadTooLarge",
        `The batch is over ${bodyLimit} bytes; deliver fewer events per request.`,
      );
    throw err;
  }
  const parsed = parseJson(body);
  if (!parsed.ok)
    return sendError(
      res,
      400,
      "InvalidJson",
      `The body is not JSON (${parsed.message}); send an event or an array of events.`,
    );
  const events = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (events.length === 0 || !events.every(isObject)) {
    return sendError(
      res,
      400,
      "InvalidEvents",
      "The body must be an event object or a non-empty array of event objects.",
    );
  }
  const kind = header(req, "aeg-event-type") ?? "Notification";
  if (kind === "SubscriptionValidation") {
    const data = events[0]!.data;
    const code = isObject(data) ? data.validationCode : undefined;
    if (typeof code !== "string")
      return sendError(res, 400, "MissingValidationCode", "A validation event carries data.validationCode.");
    return sendJson(res, 200, { validationResponse: code });
  }
  if (kind === "SubscriptionDeletion") {
    res.writeHead(200).end();
    return;
  }
  if (kind !== "Notification")
    return sendError(
      res,
      400,
      "UnknownEventType",
      `aeg-event-type '${kind}' is not one of SubscriptionValidation, Notification, SubscriptionDeletion.`,
    );
  const failures: string[] = [];
  for (const event of events) {
    try {
      await invoke(reg, event);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  // Event Grid redelivers the batch on a 5xx, as it would against the real host.
  if (failures.length > 0)
    return sendError(
      res,
      500,
      "FunctionFailed",
      `${failures.length} of ${events.length} events failed: ${failures[0]}`,
    );
  res.writeHead(202).end();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
