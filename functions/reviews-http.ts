import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { apiError, createReview, MAX_BODY_BYTES, parseJsonBody } from "../src/app/http-api";
import { getBookkeeping, getConfig, getGateway } from "../src/composition-root";
import { answer, durableClientInput, orchestrationClient } from "./shared";

/** POST /api/reviews {connectionId} | {privateEndpointId} → 202 with the connection's status URL. */
export async function postReview(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES)
      return apiError(413, "BODY_TOO_LARGE", `Send at most ${MAX_BODY_BYTES} bytes of JSON.`);
    const body = parseJsonBody(await request.text());
    if (!body.ok) return body.response;
    const origin = new URL(request.url).origin;
    return createReview(body.value, {
      client: orchestrationClient(context),
      gateway: await getGateway(),
      bookkeeping: await getBookkeeping(),
      managedScopes: getConfig().managedResourceIds,
      now: () => new Date().toISOString(),
      statusUrl: (key) => `${origin}/api/connections/${key}`,
      caller: "http",
    });
  });
}

app.http("reviews", {
  methods: ["POST"],
  authLevel: "function",
  route: "reviews",
  extraInputs: [durableClientInput],
  handler: postReview,
});
