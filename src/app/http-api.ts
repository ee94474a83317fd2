import { decodeKey, encodeKey, isPrivateEndpointConnectionId, isWithinScopes, tryParseArmId } from "../domain/arm-id";
import type { ReviewState } from "../domain/connection";
import { DomainError } from "../domain/errors";
import type { Bookkeeping } from "../ports/bookkeeping.port";
import type { ArmConnection, ConnectionGateway } from "../ports/connection-gateway.port";
import { PermanentCodes, PermanentError } from "../ports/errors";
import type { OrchestrationClient } from "./orchestration-client";
import { startEndpointIntake, startReview } from "./review-starter";

/** What an HTTP function returns; functions/ hands it to the runtime unchanged. */
export interface ApiResponse {
  status: number;
  jsonBody: unknown;
  headers?: Record<string, string>;
}

export function apiError(status: number, code: string, message: string): ApiResponse {
  return { status, jsonBody: { error: { code, message } } };
}

export const MAX_BODY_BYTES = 16 * 1024;

/** Parses a JSON body defensively: size, syntax and shape problems are 4xx with a code. */
export function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false; response: ApiResponse } {
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    return { ok: false, response: apiError(413, "BODY_TOO_LARGE", `Send at most ${MAX_BODY_BYTES} bytes of JSON.`) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return {
      ok: false,
      response: apiError(
        400,
        "BODY_INVALID",
        'The body is not JSON: send {"connectionId": "<ARM id>"} or {"privateEndpointId": "<ARM id>"}.',
      ),
    };
  }
}

export interface CreateReviewDeps {
  client: OrchestrationClient;
  /** ARM is asked whether the connection or endpoint exists before anything is started or recorded. */
  gateway: Pick<ConnectionGateway, "getConnection" | "getPrivateEndpoint">;
  /** Our tenant table: an endpoint we may not read must at least be in a registered subscription. */
  bookkeeping: Pick<Bookkeeping, "findTenantBySubscription">;
  managedScopes: readonly string[];
  now: () => string;
  /** Builds the status URL of a connection from its key. */
  statusUrl: (key: string) => string;
  caller?: string;
}

/** POST /api/reviews: { connectionId } starts (or finds) the review; { privateEndpointId } resolves it first. */
export async function createReview(body: unknown, deps: CreateReviewDeps): Promise<ApiResponse> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return apiError(
      400,
      "BODY_INVALID",
      'Send a JSON object: {"connectionId": "<ARM id>"} or {"privateEndpointId": "<ARM id>"}.',
    );
  }
  const { connectionId, privateEndpointId } = body as Record<string, unknown>;
  if ((connectionId === undefined) === (privateEndpointId === undefined)) {
    return apiError(400, "TARGET_REQUIRED", "Give exactly one of connectionId or privateEndpointId.");
  }
  if (connectionId !== undefined) {
    const id = typeof connectionId === "string" ? tryParseArmId(connectionId) : undefined;
    if (!id || !isPrivateEndpointConnectionId(id)) {
      return apiError(
        400,
        "CONNECTION_ID_INVALID",
        "connectionId must be a private endpoint connection id: <provider resource id>/privateEndpointConnections/<name>.",
      );
    }
    if (!id.parent || !isWithinScopes(id.parent.id, deps.managedScopes)) {
      return apiError(
        422,
        "RESOURCE_NOT_MANAGED",
        "That connection is on a resource this app does not manage (MANAGED_RESOURCE_IDS).",
      );
    }
    let read: ArmConnection | undefined;
    const unknown = await unknownToArm(async () => {
      read = await deps.gateway.getConnection(id.id, { withProviderResource: false });
      return read;
    });
    if (unknown) {
      return apiError(
        404,
        "CONNECTION_NOT_FOUND",
        `Azure has no such private endpoint connection (${unknown}); check the id (GET it from ARM) and send it again.`,
      );
    }
    const observedAt = deps.now();
    const started = await startReview(deps.client, {
      connectionId: id.id,
      source: "http",
      observedAt,
      requestedBy: deps.caller ?? "http",
      // This read is the review's first (what to record); policy judges the one its writing step makes.
      ...(read ? { observed: { at: observedAt, connection: read } } : {}),
    });
    const key = encodeKey(id.id);
    const url = deps.statusUrl(key);
    return {
      status: 202,
      headers: { Location: url },
      jsonBody: { instanceId: started.instanceId, outcome: started.outcome, connectionKey: key, statusUrl: url },
    };
  }
  const pe = typeof privateEndpointId === "string" ? tryParseArmId(privateEndpointId) : undefined;
  if (!pe || pe.type?.toLowerCase() !== "microsoft.network/privateendpoints") {
    return apiError(
      400,
      "ENDPOINT_ID_INVALID",
      "privateEndpointId must be a Microsoft.Network/privateEndpoints resource id.",
    );
  }
  const refused = await endpointRefusal(pe.id, pe.subscriptionId, deps);
  if (refused) return refused;
  const observedAt = deps.now();
  const started = await startEndpointIntake(deps.client, {
    privateEndpointId: pe.id,
    observedAt,
    eventId: `http-${observedAt}`,
  });
  return {
    status: 202,
    jsonBody: {
      instanceId: started.instanceId,
      outcome: started.outcome,
      note: "The endpoint is resolved to its connections on our resources; each gets a review. Query /api/connections?resource= to follow them.",
    },
  };
}

/**
 * Why ARM does not have it ("404", "an unsupported resource type"), or undefined when it does. Transient failures
 * are thrown (503: try again); nothing is started on a guess.
 */
async function unknownToArm(read: () => Promise<unknown>): Promise<string | undefined> {
  try {
    return (await read()) === undefined ? "404" : undefined;
  } catch (error) {
    if (!(error instanceof PermanentError) || error.code === PermanentCodes.forbidden) throw error;
    return error.code;
  }
}

/**
 * An endpoint must exist and target a resource we manage; one we may not read (another tenant's subscription) must
 * at least live in a subscription our tenant table knows, or it would cost a scan of every managed resource.
 */
async function endpointRefusal(
  endpointId: string,
  subscriptionId: string,
  deps: CreateReviewDeps,
): Promise<ApiResponse | undefined> {
  const notFound = apiError(
    404,
    "ENDPOINT_NOT_FOUND",
    "Azure shows no such private endpoint that we can see; check the id, or ask with the connectionId instead.",
  );
  let endpoint;
  try {
    endpoint = await deps.gateway.getPrivateEndpoint(endpointId, { nics: "never" });
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    if (error.code !== PermanentCodes.forbidden) return notFound;
    return (await deps.bookkeeping.findTenantBySubscription(subscriptionId)) ? undefined : notFound;
  }
  if (!endpoint) return notFound;
  if (!endpoint.targets.some((t) => isWithinScopes(t.targetResourceId, deps.managedScopes))) {
    return apiError(
      422,
      "RESOURCE_NOT_MANAGED",
      "That endpoint connects to no resource this app manages (MANAGED_RESOURCE_IDS).",
    );
  }
  return undefined;
}

const STATES: readonly ReviewState[] = [
  "received",
  "awaiting-approval",
  "approved",
  "rejected",
  "skipped",
  "failed",
  "removed",
];

/** GET /api/connections?status=&tenant=&resource=&limit= */
export async function listConnections(query: URLSearchParams, bookkeeping: Bookkeeping): Promise<ApiResponse> {
  const status = query.get("status") ?? undefined;
  const tenant = query.get("tenant") ?? undefined;
  const resource = query.get("resource") ?? undefined;
  const limitText = query.get("limit") ?? "100";
  if (status !== undefined && !STATES.includes(status as ReviewState)) {
    return apiError(400, "STATUS_INVALID", `status must be one of ${STATES.join(", ")}.`);
  }
  if (tenant !== undefined && !/^[A-Za-z0-9._-]{1,128}$/.test(tenant)) {
    return apiError(400, "TENANT_INVALID", "tenant must be a tenant id (letters, digits, '.', '_' or '-').");
  }
  if (resource !== undefined && !tryParseArmId(resource)) {
    return apiError(400, "RESOURCE_INVALID", "resource must be the ARM id of a provider resource.");
  }
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return apiError(400, "LIMIT_INVALID", "limit must be a whole number from 1 to 1000.");
  }
  const rows = await bookkeeping.listConnections({
    ...(status ? { state: status as ReviewState } : {}),
    ...(tenant ? { tenantId: tenant } : {}),
    ...(resource ? { providerResourceId: resource } : {}),
    limit,
  });
  return {
    status: 200,
    jsonBody: { count: rows.length, connections: rows.map((r) => ({ key: encodeKey(r.connectionId), ...r })) },
  };
}

/** GET /api/connections/{key}: the row (decision, rule, reason, DNS records) and its audit history. */
export async function getConnection(key: string, bookkeeping: Bookkeeping): Promise<ApiResponse> {
  let id: string;
  try {
    id = decodeKey(key);
  } catch (error) {
    const message = error instanceof DomainError ? error.message : "The key is not valid.";
    return apiError(400, "KEY_INVALID", `${message} Use the key from /api/connections or the review's statusUrl.`);
  }
  const row = await bookkeeping.getConnection(id);
  if (!row)
    return apiError(
      404,
      "CONNECTION_UNKNOWN",
      "No review has recorded this connection; POST /api/reviews to start one.",
    );
  const history = await bookkeeping.listAudit(id, 200);
  return { status: 200, jsonBody: { key, ...row, history } };
}

export interface HealthDeps {
  config: () => unknown;
  ping: () => Promise<void>;
  timeoutMs?: number;
}

/** GET /api/health: configuration validity and storage reachability, never a secret. */
export async function health(deps: HealthDeps): Promise<ApiResponse> {
  const checks: Record<string, { ok: boolean; detail?: string }> = {};
  try {
    deps.config();
    checks.config = { ok: true };
  } catch (error) {
    const problems = (error as { problems?: string[] }).problems;
    checks.config = { ok: false, detail: problems ? problems.join(" | ") : "The settings could not be read." };
  }
  if (checks.config.ok) {
    try {
      await withTimeout(deps.ping(), deps.timeoutMs ?? 5_000);
      checks.storage = { ok: true };
    } catch (error) {
      const code = (error as { code?: string }).code;
      checks.storage = { ok: false, detail: `Table storage is not reachable${code ? ` (${code})` : ""}.` };
    }
  }
  const ok = Object.values(checks).every((c) => c.ok);
  return { status: ok ? 200 : 503, jsonBody: { status: ok ? "healthy" : "unhealthy", checks } };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "TIMEOUT" })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
