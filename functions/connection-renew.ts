import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { asRole } from "../src/app/access";
import { apiError, MAX_BODY_BYTES, parseJsonBody } from "../src/app/http-api";
import { reviewControlFrom } from "../src/app/orchestration-client";
import { renewApproval } from "../src/app/renew-service";
import { getBookkeeping } from "../src/composition-root";
import { decodeKey } from "../src/domain/arm-id";
import { answer, durableClientInput } from "./shared";

/** POST /api/connections/{key}/renew {reason?} → 202: a new period for a time-bound approval (Approver or Admin). */
export async function postRenew(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, () =>
    asRole(request.headers, "Approver", async (principal) => {
      if (Number(request.headers.get("content-length") ?? "0") > MAX_BODY_BYTES)
        return apiError(413, "BODY_TOO_LARGE", `Send at most ${MAX_BODY_BYTES} bytes of JSON.`);
      let connectionId: string;
      try {
        connectionId = decodeKey(request.params.key ?? "");
      } catch {
        return apiError(400, "KEY_INVALID", "The key is not valid; use the key from /api/connections.");
      }
      const text = await request.text();
      const json = text.trim() === "" ? { ok: true as const, value: {} } : parseJsonBody(text);
      if (!json.ok) return json.response;
      return renewApproval(connectionId, json.value, principal, {
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
