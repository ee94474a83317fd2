import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { decide, parseDecisionBody } from "../src/app/approval-service";
import { apiError, parseJsonBody } from "../src/app/http-api";
import { reviewControlFrom } from "../src/app/orchestration-client";
import { readPrincipal } from "../src/app/principal";
import { getBookkeeping } from "../src/composition-root";
import { answer, durableClientInput, postedConnectionId } from "./shared";

/**
 * POST /api/connections/{key}/decision {decision, reason} → 202 {connectionId, decision, decidedBy}. The signed-in
 * principal (App Service authentication) must hold the Approver role and be among the review's approvers; a
 * function key alone never decides, so the route is anonymous at the Functions level and checks the person.
 */
export async function postDecision(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const target = postedConnectionId(request);
    if ("refusal" in target) return target.refusal;
    const { connectionId } = target;
    const json = parseJsonBody(await request.text());
    if (!json.ok) return json.response;
    const body = parseDecisionBody(json.value);
    if (!body.ok) return apiError(400, "BODY_INVALID", body.message);
    // Automation and operators say why: the consumer reads it on the connection, the audit keeps it.
    if (body.reason.trim() === "")
      return apiError(400, "REASON_REQUIRED", 'Say why in "reason"; the consumer sees it on the connection.');
    const result = await decide(
      {
        connectionId,
        decision: body.decision,
        reason: body.reason,
        principal: readPrincipal(request.headers),
        via: "api",
      },
      {
        bookkeeping: await getBookkeeping(),
        reviews: reviewControlFrom(df.getClient(context)),
        now: () => new Date().toISOString(),
      },
    );
    if (!result.ok) return apiError(result.status, result.code, result.message);
    return {
      status: 202,
      jsonBody: { connectionId: result.connectionId, decision: result.decision, decidedBy: result.decidedBy },
    };
  });
}

app.http("connection-decision", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "connections/{key}/decision",
  extraInputs: [durableClientInput],
  handler: postDecision,
});
