/**
 * Policy over HTTP: a dry run of a policy (given or in force) against one connection — read from ARM, never from the
 * caller — or a request body, and a what-if comparing the policy in force with a proposed one over every recorded
 * connection, a bounded page at a time. Nothing here writes.
 */
import { encodeKey, normaliseArmId } from "../domain/arm-id";
import type { ConnectionRequest } from "../domain/connection";
import { evaluatePolicy, parsePolicy, type Policy, type PolicyDecision } from "../domain/policy";
import { parseConnectionRequest } from "../domain/request-input";
import type { Tenant } from "../domain/tenant";
import type { Bookkeeping, ConnectionRecord } from "../ports/bookkeeping.port";
import type { ConnectionGateway, ArmConnection } from "../ports/connection-gateway.port";
import type { PolicySource } from "../ports/policy-source.port";
import { toConnectionRequest } from "../workflow/connection-request";
import { managedConnectionId } from "./connection-target";
import { apiError, type ApiResponse } from "./http-api";

export interface PolicyApiDeps {
  gateway: ConnectionGateway;
  bookkeeping: Bookkeeping;
  policy: PolicySource;
  managedScopes: readonly string[];
  now: () => string;
}

export const POLICY_BODY_BYTES = 256 * 1024;
export const EVALUATE_HINT =
  '{"connectionId": "<ARM id>"} or {"request": {...}}, optionally with "policy" (YAML/JSON text or a JSON document).';
export const WHAT_IF_HINT =
  '{"policy": "<YAML or JSON text>" or {...}, "pageSize": 200, "continuation": "<from the last page>"}.';
const DEFAULT_PAGE = 200;
const MAX_PAGE = 500;
const MAX_CONTINUATION = 2048;

/** POST /api/policy/evaluate */
export async function evaluateRoute(body: Record<string, unknown>, deps: PolicyApiDeps): Promise<ApiResponse> {
  const { connectionId, request } = body;
  if ((connectionId === undefined) === (request === undefined)) {
    return apiError(400, "TARGET_REQUIRED", `Give exactly one of connectionId or request: ${EVALUATE_HINT}`);
  }
  const policy = await policyOf(body.policy, deps);
  const now = deps.now();
  if (request !== undefined) {
    const parsed = parseConnectionRequest(request, { source: "http", observedAt: now });
    const tenant = await tenantFor(parsed, undefined, deps.bookkeeping);
    return explained("request", parsed, tenant, evaluate(policy, parsed, tenant, now));
  }
  const target = managedConnectionId(connectionId, deps.managedScopes);
  if (!target.ok) return target.response;
  const { id } = target;
  const state = await deps.gateway.getConnection(id.id);
  if (!state) {
    return apiError(404, "CONNECTION_NOT_ON_AZURE", "Azure has no such connection; check the id (GET it on ARM).");
  }
  const recorded = await deps.bookkeeping.getConnection(id.id);
  const fromArm = toConnectionRequest(state, "http", now);
  const tenant = await tenantFor(fromArm, recorded?.tenantId, deps.bookkeeping);
  return explained("azure", fromArm, tenant, evaluate(policy, fromArm, tenant, now));
}

/** POST /api/policy/what-if: the connections whose verdict the proposed policy would change, one page. */
export async function whatIfRoute(body: Record<string, unknown>, deps: PolicyApiDeps): Promise<ApiResponse> {
  if (body.policy === undefined) {
    return apiError(400, "POLICY_REQUIRED", `Send the proposed policy: ${WHAT_IF_HINT}`);
  }
  const pageSize = body.pageSize ?? DEFAULT_PAGE;
  if (!Number.isInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > MAX_PAGE) {
    return apiError(400, "PAGE_SIZE_INVALID", `pageSize must be a whole number from 1 to ${MAX_PAGE}.`);
  }
  const continuation = body.continuation;
  if (
    continuation !== undefined &&
    (typeof continuation !== "string" || continuation.length > MAX_CONTINUATION || !/^[\x20-\x7e]+$/.test(continuation))
  ) {
    return apiError(400, "CONTINUATION_INVALID", "continuation must be the value the previous page returned.");
  }
  const proposed = await policyOf(body.policy, deps);
  const current = await deps.policy.load();
  const page = await deps.bookkeeping.pageConnections(pageSize as number, continuation);
  const onAzure = await armStates(page.records, deps.gateway);
  const tenants = await deps.bookkeeping.listTenants();
  const now = deps.now();
  const changes: unknown[] = [];
  const missingOnAzure: string[] = [];
  for (const record of page.records) {
    const state = onAzure.get(normaliseArmId(record.connectionId));
    if (!state) {
      missingOnAzure.push(record.connectionId);
      continue;
    }
    const request = toConnectionRequest(state, "http", now);
    const tenant = recordedTenant(record, request, tenants);
    const before = evaluate(current, request, tenant, now);
    const after = evaluate(proposed, request, tenant, now);
    if (before.verdict === after.verdict) continue;
    changes.push({
      connectionId: record.connectionId,
      key: encodeKey(record.connectionId),
      tenantId: tenant?.tenantId ?? null,
      state: record.state,
      current: { verdict: before.verdict, ruleId: before.ruleId },
      proposed: { verdict: after.verdict, ruleId: after.ruleId, reason: after.reason },
    });
  }
  return {
    status: 200,
    jsonBody: {
      currentPolicyVersion: current.version,
      proposedPolicyVersion: proposed.version,
      examined: page.records.length,
      changed: changes.length,
      changes,
      missingOnAzure,
      ...(page.continuation ? { continuation: page.continuation } : {}),
    },
  };
}

async function policyOf(given: unknown, deps: PolicyApiDeps): Promise<Policy> {
  if (given === undefined) return deps.policy.load();
  // Text is YAML or JSON; an object is a JSON document. parsePolicy refuses anything else with POLICY_INVALID.
  return parsePolicy(typeof given === "string" ? given : JSON.stringify(given));
}

function evaluate(policy: Policy, request: ConnectionRequest, tenant: Tenant | undefined, now: string): PolicyDecision {
  return evaluatePolicy(policy, { request, ...(tenant ? { tenant } : {}), now });
}

function explained(
  source: "azure" | "request",
  request: ConnectionRequest,
  tenant: Tenant | undefined,
  decision: PolicyDecision,
): ApiResponse {
  return { status: 200, jsonBody: { source, request, tenant: tenant?.tenantId ?? null, decision } };
}

/** The tenant as the review resolves it: the one recorded for the connection, else by claim, else by subscription. */
async function tenantFor(
  request: ConnectionRequest,
  recordedTenantId: string | undefined,
  bookkeeping: Bookkeeping,
): Promise<Tenant | undefined> {
  const byId = recordedTenantId ?? request.consumerTenantId;
  return (
    (byId ? await bookkeeping.getTenant(byId) : undefined) ??
    (request.consumerSubscriptionId
      ? await bookkeeping.findTenantBySubscription(request.consumerSubscriptionId)
      : undefined)
  );
}

function recordedTenant(
  record: ConnectionRecord,
  request: ConnectionRequest,
  tenants: readonly Tenant[],
): Tenant | undefined {
  const sub = request.consumerSubscriptionId?.toLowerCase();
  return (
    (record.tenantId ? tenants.find((t) => t.tenantId.toLowerCase() === record.tenantId!.toLowerCase()) : undefined) ??
    (sub ? tenants.find((t) => t.subscriptions.includes(sub)) : undefined)
  );
}

/** One ARM list per provider resource on the page, so a page of 500 connections costs a handful of calls. */
async function armStates(
  records: readonly ConnectionRecord[],
  gateway: ConnectionGateway,
): Promise<Map<string, ArmConnection>> {
  const out = new Map<string, ArmConnection>();
  const resources = new Map(records.map((r) => [normaliseArmId(r.providerResourceId), r.providerResourceId]));
  for (const resourceId of resources.values()) {
    for (const state of await gateway.listConnections(resourceId)) out.set(normaliseArmId(state.connectionId), state);
  }
  return out;
}
