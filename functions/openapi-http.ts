import { app, type HttpResponseInit } from "@azure/functions";
import { OPENAPI_DOCUMENT } from "../src/app/openapi";

/** GET /api/openapi.json (anonymous): the API's description holds no secret, and tools read it before signing in. */
export async function getOpenApi(): Promise<HttpResponseInit> {
  return { status: 200, jsonBody: OPENAPI_DOCUMENT, headers: { "cache-control": "public, max-age=300" } };
}

app.http("openapi", { methods: ["GET"], authLevel: "anonymous", route: "openapi.json", handler: getOpenApi });
