import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { asRole } from "../src/app/access";
import {
  getTenantRoute,
  listTenantsRoute,
  offboardTenantRoute,
  patchTenantRoute,
  putTenantRoute,
  type TenantsDeps,
} from "../src/app/tenants-api";
import { getBookkeeping } from "../src/composition-root";
import { answer } from "./shared";

// People's routes: anonymous for the Functions host, App Service authentication's principal and app role checked in
// code (Reader reads, Admin changes).

async function deps(): Promise<TenantsDeps> {
  return { bookkeeping: await getBookkeeping(), now: () => new Date().toISOString() };
}

/** GET /api/tenants (Reader) */
export async function getTenants(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, () => asRole(request.headers, "Reader", async () => listTenantsRoute(await deps())));
}

/** GET|PUT|PATCH|DELETE /api/tenants/{tenantId} (Reader reads; Admin creates, replaces, updates and offboards) */
export async function tenant(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return answer(context, async () => {
    if (request.method === "GET")
      return asRole(request.headers, "Reader", async () => getTenantRoute(request, await deps()));
    const route =
      request.method === "PUT" ? putTenantRoute : request.method === "PATCH" ? patchTenantRoute : offboardTenantRoute;
    return asRole(request.headers, "Admin", async (principal) => route(request, principal, await deps()));
  });
}

app.http("tenants", { methods: ["GET"], authLevel: "anonymous", route: "tenants", handler: getTenants });
app.http("tenant", {
  methods: ["GET", "PUT", "PATCH", "DELETE"],
  authLevel: "anonymous",
  route: "tenants/{tenantId}",
  handler: tenant,
});
