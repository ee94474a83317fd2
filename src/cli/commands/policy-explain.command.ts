import type { ConnectionRequest } from "../../domain/connection";
import { DomainError } from "../../domain/errors";
import { parseEventGridPayload } from "../../domain/intake";
import { evaluatePolicy, parsePolicy, type Policy, type PolicyDecision } from "../../domain/policy";
import { parseConnectionRequest, requestsFromSignal, type SignalRequest } from "../../domain/request-input";
import { findTenant, validateTenant, type Tenant } from "../../domain/tenant";
import { parseArgs, required } from "../args";
import { UsageError } from "../cli-errors";
import type { CliIo } from "../cli-io";
import { readInput, readJson } from "../read-input";

interface Explanation {
  request: ConnectionRequest;
  tenant: string | null;
  decision: PolicyDecision;
  incomplete?: string;
}

/**
 * policy explain --policy <file> --request <file> [--tenants <file>] [--now <iso>]: a dry run of the policy.
 * A request file holds a ConnectionRequest (one explanation) or an Event Grid payload (one per request it carries).
 */
export async function policyExplain(argv: readonly string[], io: CliIo): Promise<unknown> {
  const args = parseArgs(argv, ["policy", "request", "tenants", "now"]);
  if (args.positional.length > 0) throw new UsageError(`Unexpected argument "${args.positional[0]}".`);
  const now = args.options.get("now") ?? io.now();
  if (Number.isNaN(Date.parse(now)))
    throw new UsageError(`--now "${now}" is not an ISO time such as 2026-01-31T12:00:00Z.`);
  const [policyFile, requestFile] = [required(args, "policy"), required(args, "request")];
  const policy = parsePolicy(await readInput(io, policyFile, "policy"));
  const input = await readJson(io, requestFile, "request");
  const tenantsFile = args.options.get("tenants");
  const tenants = tenantsFile === undefined ? [] : parseTenants(await readJson(io, tenantsFile, "tenants"));

  if (looksLikeRequest(input)) {
    const request = parseConnectionRequest(input, { source: "cli", observedAt: now });
    return explain(policy, { request }, tenants, now);
  }
  const signals = parseEventGridPayload(input);
  return signals.flatMap((s) => requestsFromSignal(s, now)).map((r) => explain(policy, r, tenants, now));
}

function looksLikeRequest(input: unknown): boolean {
  return typeof input === "object" && input !== null && !Array.isArray(input) && Object.hasOwn(input, "connectionId");
}

function explain(policy: Policy, item: SignalRequest, tenants: readonly Tenant[], now: string): Explanation {
  const tenant = findTenant(tenants, item.request);
  const decision = evaluatePolicy(policy, { request: item.request, ...(tenant ? { tenant } : {}), now });
  return {
    request: item.request,
    tenant: tenant?.tenantId ?? null,
    decision,
    ...(item.incomplete ? { incomplete: item.incomplete } : {}),
  };
}

function parseTenants(value: unknown): Tenant[] {
  const list: unknown = Array.isArray(value) ? value : (value as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(list)) {
    throw new DomainError(
      "TENANTS_INVALID",
      'The tenants file must hold a JSON array of tenant records (or {"tenants": [...]}).',
    );
  }
  return list.map((item, i) => {
    const { tenant, errors } = validateTenant(item);
    if (!tenant) throw new DomainError("TENANTS_INVALID", `Tenant record ${i} is not valid: ${errors.join("; ")}.`);
    return tenant;
  });
}
