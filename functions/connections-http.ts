import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { listConnections } from "../src/app/http-api";
import { getBookkeeping } from "../src/composition-root";
import { answer } from "./shared";

/** GET /api/connections?status=&tenant=&resource= */
export async function getConnections(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => listConnections(request.query, await getBookkeeping()));
}

app.http("connections", { methods: ["GET"], authLevel: "function", route: "connections", handler: getConnections });
