/**
 * The tenants API: list, read, create, replace, update and offboard consumer tenants. One schema validates every
 * write (tenant.schema.json); ETags keep two operators from overwriting each other; every change is audited with who.
 */
import { validateTenant, type Tenant } from "../domain/tenant";
import type { Bookkeeping, TenantAuditEntry, TenantWriteCondition } from "../ports/bookkeeping.port";
import { apiError, type ApiResponse } from "./http-api";
import { readJsonObject, type ApiRequest } from "./operator-http";
import type { Principal } from "./principal";

export interface TenantsDeps {
  bookkeeping: Bookkeeping;
  now: () => string;
}

export const TENANT_BODY_BYTES = 64 * 1024;
const TENANT_ID = /^[A-Za-z0-9._-]{1,128}$/;
const BODY_HINT =
  'a tenant such as {"displayName": "Contoso", "subscriptions": ["<guid>"], "approvers": ["a@b.example"]}.';
const HISTORY_LIMIT = 50;

/** GET /api/tenants */
export async function listTenantsRoute(deps: TenantsDeps): Promise<ApiResponse> {
  const tenants = (await deps.bookkeeping.listTenants()).sort((a, b) => a.displayName.localeCompare(b.displayName));
  return { status: 200, jsonBody: { count: tenants.length, tenants } };
}

/** GET /api/tenants/{tenantId}: the profile, its ETag and who changed it. */
export async function getTenantRoute(request: ApiRequest, deps: TenantsDeps): Promise<ApiResponse> {
  const id = tenantIdOf(request);
  if (!id.ok) return id.response;
  const stored = await deps.bookkeeping.getTenantVersioned(id.value);
  if (!stored) return unknownTenant();
  const history = await deps.bookkeeping.listTenantAudit(id.value, HISTORY_LIMIT);
  return { status: 200, headers: { ETag: stored.etag }, jsonBody: { ...stored.tenant, history } };
}

/** PUT /api/tenants/{tenantId}: creates the tenant, or with If-Match replaces the version the caller read. */
export function putTenantRoute(request: ApiRequest, principal: Principal, deps: TenantsDeps): Promise<ApiResponse> {
  return withTenantBody(request, async (id, body) => {
    const ifMatch = request.headers.get("if-match") ?? undefined;
    const current = ifMatch === "*" ? await deps.bookkeeping.getTenantVersioned(id) : undefined;
    if (ifMatch === "*" && !current) return unknownTenant();
    const condition: TenantWriteCondition = ifMatch ? { ifMatch: current?.etag ?? ifMatch } : { ifAbsent: true };
    return write(id, body, condition, ifMatch ? "updated" : "created", principal, deps);
  });
}

/** PATCH /api/tenants/{tenantId}: changes the fields given; If-Match is required. */
export function patchTenantRoute(request: ApiRequest, principal: Principal, deps: TenantsDeps): Promise<ApiResponse> {
  return withTenantBody(request, async (id, body) => {
    const ifMatch = request.headers.get("if-match");
    if (!ifMatch) {
      return apiError(
        428,
        "IF_MATCH_REQUIRED",
        "Send If-Match with the ETag from GET /api/tenants/{tenantId}, so you change the version you looked at.",
      );
    }
    const current = await deps.bookkeeping.getTenantVersioned(id);
    if (!current) return unknownTenant();
    const etag = ifMatch === "*" ? current.etag : ifMatch;
    return write(id, { ...profileOf(current.tenant), ...body }, { ifMatch: etag }, "updated", principal, deps);
  });
}

/** DELETE /api/tenants/{tenantId}: offboards (status "offboarded"); the clean-up then rejects its connections. */
export async function offboardTenantRoute(
  request: ApiRequest,
  principal: Principal,
  deps: TenantsDeps,
): Promise<ApiResponse> {
  const id = tenantIdOf(request);
  if (!id.ok) return id.response;
  const current = await deps.bookkeeping.getTenantVersioned(id.value);
  if (!current) return unknownTenant();
  if (current.tenant.status === "offboarded") {
    return { status: 200, headers: { ETag: current.etag }, jsonBody: current.tenant };
  }
  const ifMatch = request.headers.get("if-match");
  const etag = !ifMatch || ifMatch === "*" ? current.etag : ifMatch;
  return write(
    id.value,
    { ...profileOf(current.tenant), status: "offboarded" },
    { ifMatch: etag },
    "offboarded",
    principal,
    deps,
  );
}

async function write(
  tenantId: string,
  body: Record<string, unknown>,
  condition: TenantWriteCondition,
  action: TenantAuditEntry["action"],
  principal: Principal,
  deps: TenantsDeps,
): Promise<ApiResponse> {
  if (Object.hasOwn(body, "usage")) {
    return apiError(422, "USAGE_READ_ONLY", "usage is counted from approved connections; leave it out.");
  }
  if (
    body.tenantId !== undefined &&
    (typeof body.tenantId !== "string" || body.tenantId.toLowerCase() !== tenantId.toLowerCase())
  ) {
    return apiError(422, "TENANT_ID_MISMATCH", "The body's tenantId must be the one in the URL (or be left out).");
  }
  const { tenant, errors } = validateTenant({ ...body, tenantId: body.tenantId ?? tenantId });
  if (!tenant) {
    return {
      status: 422,
      jsonBody: {
        error: {
          code: "TENANT_INVALID",
          message: `Fix the tenant and send it again: ${errors.join("; ")}.`,
          details: errors,
        },
      },
    };
  }
  const result = await deps.bookkeeping.writeTenant(tenant, condition);
  if (!result.ok) return refused(result.reason);
  await deps.bookkeeping.appendTenantAudit({
    tenantId: tenant.tenantId,
    at: deps.now(),
    actor: principal.name,
    action,
    message: `${principal.name} ${action} tenant ${tenant.displayName}.`,
    data: { tenant: profileOf(tenant) },
  });
  const saved = await deps.bookkeeping.getTenant(tenant.tenantId);
  return { status: action === "created" ? 201 : 200, headers: { ETag: result.etag }, jsonBody: saved ?? tenant };
}

/** The tenant id from the path and a JSON object body, or the coded refusal of either. */
async function withTenantBody(
  request: ApiRequest,
  work: (tenantId: string, body: Record<string, unknown>) => Promise<ApiResponse>,
): Promise<ApiResponse> {
  const id = tenantIdOf(request);
  if (!id.ok) return id.response;
  const body = await readJsonObject(request, TENANT_BODY_BYTES, BODY_HINT);
  return body.ok ? work(id.value, body.value) : body.response;
}

function profileOf(tenant: Tenant): Omit<Tenant, "usage"> {
  const { usage: _counted, ...profile } = tenant;
  return profile;
}

function refused(reason: "exists" | "changed" | "missing"): ApiResponse {
  if (reason === "exists") {
    return apiError(
      409,
      "TENANT_EXISTS",
      "A tenant with this id exists: GET it and send its ETag as If-Match to replace it, or PATCH the fields to change.",
    );
  }
  if (reason === "missing") return unknownTenant();
  return apiError(
    412,
    "ETAG_MISMATCH",
    "Someone changed this tenant after you read it: GET it again, check their change, and retry with the new ETag.",
  );
}

function unknownTenant(): ApiResponse {
  return apiError(404, "TENANT_UNKNOWN", "No tenant has this id; GET /api/tenants lists them, PUT creates one.");
}

function tenantIdOf(request: ApiRequest): { ok: true; value: string } | { ok: false; response: ApiResponse } {
  const id = request.params.tenantId ?? "";
  return TENANT_ID.test(id)
    ? { ok: true, value: id }
    : {
        ok: false,
        response: apiError(
          400,
          "TENANT_ID_INVALID",
          "A tenant id is 1–128 letters, digits, '.', '_' or '-' (the consumer's Entra tenant id, usually).",
        ),
      };
}
