import { DomainError } from "../domain/errors";
import { parseArmId, sameArmId } from "../domain/arm-id";
import { planDnsRecords } from "../domain/dns";
import type { Bookkeeping, RecordedDnsRecord } from "../ports/bookkeeping.port";
import { withEndpointGroupIds, type ConnectionGateway } from "../ports/connection-gateway.port";
import type { DnsRegistrar } from "../ports/dns-registrar.port";
import { PermanentError } from "../ports/errors";
import { runOf, type RegisterDnsInput, type RegisterDnsResult } from "./contracts";
import { AUTOPILOT } from "./activity-step";

export interface DnsRegistrationPorts {
  gateway: ConnectionGateway;
  dns: DnsRegistrar;
  bookkeeping: Bookkeeping;
  /** Central zone and name template for Private Link Service records (PLS_DNS_ZONE, PLS_DNS_NAME_TEMPLATE). */
  privateLinkServiceDns?: { zone: string; nameTemplate: string };
}

/**
 * The review's DNS step: plans the A records of an approved connection from its endpoint and writes them in the
 * central zones (never over another endpoint's record: a conflict is recorded), auditing each; the row keeps what
 * was written. No endpoint, an unreadable one (another tenant's) or no plan means no records, with a note saying why.
 */
export async function registerConnectionDns(
  ports: DnsRegistrationPorts,
  input: RegisterDnsInput,
): Promise<RegisterDnsResult> {
  const { gateway, dns, bookkeeping } = ports;
  const { connection } = input;
  const audit = (suffix: string, message: string) =>
    bookkeeping.appendAudit({
      connectionId: connection.connectionId,
      stepId: `${runOf(input)}:dns-${suffix}`,
      at: input.at,
      kind: "dns",
      actor: AUTOPILOT,
      message,
    });
  const save = async (result: RegisterDnsResult): Promise<RegisterDnsResult> => {
    await bookkeeping.saveConnection({
      connectionId: connection.connectionId,
      dnsRecords: result.records,
      ...(result.note ? { dnsNote: result.note } : {}),
      updatedAt: input.at,
    });
    return result;
  };
  if (!connection.privateEndpointId) {
    const note = "ARM reports no private endpoint for this connection; no DNS records were written.";
    await audit("none", note);
    return save({ records: [], note });
  }
  let endpoint =
    input.endpoint && sameArmId(input.endpoint.id, connection.privateEndpointId) ? input.endpoint : undefined;
  try {
    endpoint ??= await gateway.getPrivateEndpoint(connection.privateEndpointId, { nics: "when-needed" });
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    endpoint = undefined;
  }
  if (!endpoint) {
    const note =
      "The private endpoint is not readable from here (another tenant's subscription): DNS is the consumer's.";
    await audit("consumer", note);
    return save({ records: [], note });
  }
  const pls = ports.privateLinkServiceDns;
  const isPls = connection.providerResourceType.toLowerCase() === "microsoft.network/privatelinkservices";
  let plan: ReturnType<typeof planDnsRecords>;
  try {
    plan = planDnsRecords({
      providerResourceType: connection.providerResourceType,
      groupIds: withEndpointGroupIds(connection, endpoint).groupIds,
      ...(endpoint.location ? { location: endpoint.location } : {}),
      endpoint: { customDnsConfigs: endpoint.customDnsConfigs, nicIpConfigurations: endpoint.nicIpConfigurations },
      ...(isPls && pls
        ? {
            privateLinkService: {
              zone: pls.zone,
              nameTemplate: pls.nameTemplate,
              vars: {
                // Stryker disable next-line MethodExpression: the plan lower-cases every variable again
                tenant: (input.tenantId ?? "unknown").toLowerCase(),
                service: parseArmId(connection.providerResourceId).name ?? "service",
                endpoint: parseArmId(connection.privateEndpointId).name ?? "endpoint",
              },
            },
          }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const note = `No DNS plan: ${error.message}`;
    await audit("plan", note);
    return save({ records: [], note });
  }
  const records: RecordedDnsRecord[] = [];
  for (const planned of plan.records) {
    const outcome = await dns.ensureARecord(
      { zone: planned.zone, name: planned.name, ipAddresses: planned.ipAddresses },
      { privateEndpointId: connection.privateEndpointId, connectionId: connection.connectionId },
    );
    const recorded: RecordedDnsRecord = {
      zone: planned.zone,
      name: planned.name,
      ipAddresses: planned.ipAddresses,
      outcome: outcome.outcome,
      ...(outcome.outcome === "conflict" ? { detail: outcome.detail } : {}),
    };
    records.push(recorded);
    await audit(
      `${planned.zone}/${planned.name}`,
      outcome.outcome === "conflict"
        ? `DNS conflict on ${planned.fqdn}: ${outcome.detail}`
        : `A ${planned.fqdn} → ${planned.ipAddresses.join(", ")} (${outcome.outcome}).`,
    );
  }
  const note = plan.unmatched.length ? `No central zone for: ${plan.unmatched.join(", ")}.` : undefined;
  return save({ records, ...(note ? { note } : {}) });
}
