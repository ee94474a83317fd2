import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getConnection } from "../src/app/http-api";
import { getBookkeeping } from "../src/composition-root";
import { answer } from "./shared";

/** GET /api/connections/{key}: decision, rule, reason, DNS records and audit history. */
export async function getOneConnection(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => getConnection(request.params.key ?? "", await getBookkeeping()));
}

app.http("connection", {
  methods: ["GET"],
  authLevel: "function",
  route: "connections/{key}",
  handler: getOneConnection,
});
