import { app, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { health } from "../src/app/http-api";
import { getBookkeeping, getConfig } from "../src/composition-root";
import { answer } from "./shared";

/** GET /api/health (anonymous): settings valid? storage reachable? No secrets in the answer. */
export async function getHealth(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, () => health({ config: getConfig, ping: async () => (await getBookkeeping()).ping() }));
}

app.http("health", { methods: ["GET"], authLevel: "anonymous", route: "health", handler: getHealth });
