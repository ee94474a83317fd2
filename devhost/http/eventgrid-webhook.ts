import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registration } from "../core/registry";
import { errorMessage, firstHeader, withoutStack } from "./request-parts";
import { parseJson, readBodyOrRefuse, sendError, sendJson } from "./respond";

/** What the webhook needs from the host. */
export interface EventGridFunctions {
  find(name: string): Registration | undefined;
  invoke(reg: Registration, event: Record<string, unknown>): Promise<void>;
  bodyLimit: number;
}

/**
 * `/runtime/webhooks/eventgrid?functionName=<name>` as the Event Grid extension serves it: the subscription
 * validation handshake, the CloudEvents OPTIONS handshake, and batches delivered one event per invocation.
 */
export async function handleEventGrid(
  functions: EventGridFunctions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method === "OPTIONS") {
    // CloudEvents abuse-protection handshake: echo the origin to allow delivery.
    const origin = firstHeader(req, "webhook-request-origin");
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
  const reg = functions.find(name);
  if (!reg || reg.kind !== "eventGrid")
    return sendError(res, 404, "FunctionNotFound", `No Event Grid function named '${name}' is registered.`);
  const body = await readBodyOrRefuse(req, res, functions.bodyLimit, "deliver fewer events per request.");
  if (!body) return;
  const parsed = parseJson(body);
  if (!parsed.ok)
    return sendError(
      res,
      400,
      "InvalidJson",
      `The body is not usable JSON (${parsed.message}); send an event or an array of events.`,
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
  const kind = firstHeader(req, "aeg-event-type") ?? "Notification";
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
      await functions.invoke(reg, event);
    } catch (err) {
      failures.push(withoutStack(errorMessage(err)));
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
