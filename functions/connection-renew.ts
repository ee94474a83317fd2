import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { asRole } from "../src/app/access";
import { parseJsonBody } from "../src/app/http-api";
import { reviewControlFrom } from "../src/app/orchestration-client";
import { renewApproval } from "../src/app/renew-service";
import { getBookkeeping } from "../src/composition-root";
import { answer, durableClientInput, postedConnectionId } from "./shared";

/** POST /api/connections/{key}/renew {reason?} → 202: a new period for a time-bound approval (Approver or Admin). */
export async function postRenew(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, () =>
    asRole(request.headers, "Approver", async (principal) => {
      const target = postedConnectionId(request);
      if ("refusal" in target) return target.refusal;
      const text = await request.text();
      const json = text.trim() === "" ? { ok: true as const, value: {} } : parseJsonBody(text);
      if (!json.ok) return json.response;
      return renewApproval(target.connectionId, json.value, principal, {
        bookkeeping: await getBookkeeping(),
        reviews: reviewControlFrom(df.getClient(context)),
      });
    }),
  );
}

app.http("connection-renew", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "connections/{key}/renew",
  extraInputs: [durableClientInput],
  handler: postRenew,
});
