import { ArmError } from "../http/arm-error";
import type { SandboxRequest, SandboxResponse } from "../http/http-types";
import { safeDecode } from "../http/router";
import type { FaultInjector } from "../control/fault-injector";
import type { Inbox } from "./inbox";

export interface TeamsOptions {
  hookIds: string[];
  /** The `sig` query value a Workflows URL carries; a wrong one is refused. */
  signature: string;
  inbox: Inbox;
  now: () => Date;
  faults: FaultInjector;
}

const ADAPTIVE = "application/vnd.microsoft.card.adaptive";

/** A Teams Workflows webhook: only the Adaptive Card message envelope is accepted (old connector payloads → 400). */
export function handleTeams(options: TeamsOptions, req: SandboxRequest): SandboxResponse | undefined {
  const m = /^\/_sandbox\/teams\/([^/]+)$/.exec(req.path);
  if (!m) return undefined;
  const hookId = safeDecode(m[1]!);
  if (req.method !== "POST") throw new ArmError(405, "MethodNotAllowed", "POST the message to the webhook.");
  options.faults.failIfDue(req, "teams");
  if (!options.hookIds.includes(hookId))
    throw new ArmError(
      404,
      "WorkflowNotFound",
      `No Teams workflow '${hookId}'; use the teamsWebhookUrl the sandbox printed.`,
    );
  if (req.url.searchParams.get("sig") !== options.signature) {
    throw new ArmError(
      401,
      "DirectApiAuthorizationRequired",
      "The sig parameter is missing or wrong; use the full teamsWebhookUrl.",
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch {
    throw new ArmError(400, "InvalidRequestContent", 'The body must be JSON: {"type":"message","attachments":[...]}.');
  }
  const card = adaptiveCardOf(body);
  if (!card) {
    throw new ArmError(
      400,
      "InvalidTeamsPayload",
      'Send {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard",...}}]}; connector MessageCards and {"text"} payloads are not accepted.',
    );
  }
  const title = (card.body as { text?: unknown }[] | undefined)?.find((b) => typeof b?.text === "string")?.text;
  options.inbox.add(
    { kind: "teams", to: [hookId], subject: typeof title === "string" ? title : undefined, card },
    options.now(),
  );
  return { status: 202 };
}

function adaptiveCardOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const msg = body as { type?: unknown; attachments?: unknown };
  if (msg.type !== "message" || !Array.isArray(msg.attachments) || msg.attachments.length === 0) return undefined;
  const first = msg.attachments[0] as { contentType?: unknown; content?: unknown } | null;
  const content = first?.content as Record<string, unknown> | undefined;
  if (first?.contentType !== ADAPTIVE || content?.type !== "AdaptiveCard" || !Array.isArray(content.body))
    return undefined;
  return content;
}
