import { createHash, randomUUID } from "node:crypto";
import { ArmError, badRequest, notFound } from "../http/arm-error";
import { idKey, parseArmPath, resourceId } from "../arm/arm-path";
import { familyOf, PRIVATE_LINK_SERVICE } from "../arm/resource-families";
import type { ConsumerSubscriptionSeed, EstateSeed } from "./seed-types";
import { subnetRange } from "./seed-loader";
import type {
  ConnectionRecord,
  ConnectionStatus,
  DnsZoneRecord,
  EndpointRecord,
  ProviderResource,
  RecordSetRecord,
} from "./estate-records";

export interface CreateEndpointInput {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  targetResourceId: string;
  groupId?: string;
  requestMessage?: string;
  tenantId?: string;
  /** Default true; false makes the endpoint as a private DNS zone group does (empty customDnsConfigs). */
  customDnsConfigs?: boolean;
}

/** A GUID derived from text, so re-creating the same endpoint yields the same connection name. */
export function guidFrom(text: string): string {
  const h = createHash("sha256").update(text.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const newEtag = (): string => randomUUID();

/** Every change of a connection's state, on either side, gets a new description and ETag. */
function changeState(
  record: { status: ConnectionStatus; description: string; etag: string },
  status: ConnectionStatus,
  description: string,
): void {
  record.status = status;
  record.description = description;
  record.etag = newEtag();
}

/** The whole simulated estate, in memory. Ids are keyed case-insensitively; original casing is kept for display. */
export class EstateStore {
  readonly providers = new Map<string, ProviderResource>();
  readonly connections = new Map<string, ConnectionRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly zones = new Map<string, DnsZoneRecord>();
  readonly recordSets = new Map<string, RecordSetRecord>();
  private readonly nextHost = new Map<string, number>();

  constructor(readonly seed: EstateSeed) {
    const p = seed.provider;
    for (const pls of p.privateLinkServices) {
      const id = resourceId(p.subscriptionId, p.resourceGroup, PRIVATE_LINK_SERVICE.type, pls.name);
      const alias = `${pls.name}.${guidFrom(id)}.${p.location}.azure.privatelinkservice`;
      this.addProvider({
        id,
        name: pls.name,
        family: PRIVATE_LINK_SERVICE,
        tags: pls.tags ?? {},
        pls: { ...pls, alias },
      });
    }
    for (const r of p.paasResources) {
      const family = familyOf(r.type)!;
      const id = resourceId(p.subscriptionId, p.resourceGroup, family.type, r.name);
      this.addProvider({ id, name: r.name, family, tags: r.tags ?? {} });
    }
    for (const zone of seed.dns.zones) {
      const id = resourceId(seed.dns.subscriptionId, seed.dns.resourceGroup, "Microsoft.Network/privateDnsZones", zone);
      this.zones.set(idKey(id), { id, name: zone, etag: newEtag() });
    }
  }

  private addProvider(r: Omit<ProviderResource, "subscriptionId" | "resourceGroup" | "location" | "tenantId">): void {
    const p = this.seed.provider;
    this.providers.set(idKey(r.id), {
      ...r,
      subscriptionId: p.subscriptionId,
      resourceGroup: p.resourceGroup,
      location: p.location,
      tenantId: p.tenantId,
    });
  }

  consumer(subscriptionId: string): ConsumerSubscriptionSeed | undefined {
    const s = subscriptionId.toLowerCase();
    return this.seed.consumers.find((c) => c.subscriptionId.toLowerCase() === s);
  }

  isProviderSubscription(subscriptionId: string): boolean {
    const s = subscriptionId.toLowerCase();
    return s === this.seed.provider.subscriptionId.toLowerCase() || s === this.seed.dns.subscriptionId.toLowerCase();
  }

  knownSubscription(subscriptionId: string): boolean {
    return this.isProviderSubscription(subscriptionId) || this.consumer(subscriptionId) !== undefined;
  }

  provider(id: string): ProviderResource | undefined {
    return this.providers.get(idKey(id));
  }

  connectionsOf(providerId: string): ConnectionRecord[] {
    const key = idKey(providerId);
    return [...this.connections.values()].filter((c) => idKey(c.providerId) === key);
  }

  createEndpoint(input: CreateEndpointInput): { endpoint: EndpointRecord; created: boolean } {
    const consumer = this.consumer(input.subscriptionId);
    if (!consumer) {
      throw badRequest(
        "SubscriptionNotFound",
        `The subscription '${input.subscriptionId}' is not a consumer subscription in the seed; use one listed by GET /_sandbox/estate.`,
      );
    }
    const target = this.provider(input.targetResourceId);
    if (!target) {
      throw badRequest(
        "PrivateLinkTargetNotFound",
        `No provider resource has the id '${input.targetResourceId}'; use one listed by GET /_sandbox/estate.`,
      );
    }
    const inConsumerGroup = (type: string, name: string): string =>
      resourceId(consumer.subscriptionId, input.resourceGroup, `Microsoft.Network/${type}`, name);
    const id = inConsumerGroup("privateEndpoints", input.name);
    const existing = this.endpoints.get(idKey(id));
    if (existing) {
      if (idKey(existing.targetResourceId) !== idKey(target.id)) {
        throw new ArmError(
          409,
          "Conflict",
          `The private endpoint '${input.name}' already exists for another target; delete it first or pick another name.`,
        );
      }
      return { endpoint: existing, created: false };
    }
    const family = target.family;
    const groupId = input.groupId ?? family.groupId;
    if (target.pls) this.checkVisible(target, consumer.subscriptionId);
    const autoApproved =
      target.pls?.autoApproval.some((s) => s.toLowerCase() === consumer.subscriptionId.toLowerCase()) ?? false;
    const guid = guidFrom(id);
    const connectionName = `${input.name}.${guid}`;
    const connectionId = `${target.id}/privateEndpointConnections/${connectionName}`;
    const status: ConnectionStatus = autoApproved ? "Approved" : "Pending";
    const description = autoApproved ? "Auto-Approved" : (input.requestMessage ?? "");
    const nicName = `${input.name}.nic.${guid}`;
    const endpoint: EndpointRecord = {
      id,
      name: input.name,
      subscriptionId: consumer.subscriptionId,
      resourceGroup: input.resourceGroup,
      location: consumer.location,
      tenantId: input.tenantId ?? consumer.tenantId,
      targetResourceId: target.id,
      groupId,
      requestMessage: input.requestMessage ?? "",
      autoApproved,
      connectionId,
      connectionName,
      status,
      description,
      nicId: inConsumerGroup("networkInterfaces", nicName),
      nicName,
      subnetId: `${inConsumerGroup("virtualNetworks", "spoke-vnet")}/subnets/private-endpoints`,
      privateIp: this.allocateIp(consumer),
      fqdns: family.fqdn ? [family.fqdn(target.name)] : [],
      customDnsConfigs: input.customDnsConfigs ?? true,
      etag: newEtag(),
    };
    this.endpoints.set(idKey(id), endpoint);
    this.connections.set(idKey(connectionId), {
      id: connectionId,
      name: connectionName,
      providerId: target.id,
      privateEndpointId: id,
      privateEndpointLocation: consumer.location,
      groupIds: groupId ? [groupId] : [],
      status,
      description,
      actionsRequired: "None",
      provisioningState: family.settledState,
      etag: newEtag(),
      linkIdentifier: String(parseInt(guid.slice(0, 8), 16)),
    });
    return { endpoint, created: true };
  }

  private checkVisible(target: ProviderResource, subscriptionId: string): void {
    const vis = target.pls?.visibility ?? [];
    if (vis.includes("*") || vis.some((s) => s.toLowerCase() === subscriptionId.toLowerCase())) return;
    throw new ArmError(
      403,
      "PrivateLinkServiceNotVisible",
      `The Private Link Service '${target.name}' is not visible to subscription '${subscriptionId}'; add it to the service's visibility list.`,
    );
  }

  /** Addresses from the fifth up, in creation order (Azure keeps the first four and the last of a subnet). */
  private allocateIp(consumer: ConsumerSubscriptionSeed): string {
    const n = this.nextHost.get(consumer.subscriptionId) ?? 4;
    const range = subnetRange(consumer.subnetPrefix)!;
    if (n > range.size - 2)
      throw new ArmError(
        409,
        "SubnetIsFull",
        `The sandbox subnet ${consumer.subnetPrefix} has no free address; delete endpoints or restart the sandbox.`,
      );
    this.nextHost.set(consumer.subscriptionId, n + 1);
    const address = range.base + n;
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
  }

  /** Removes the endpoint; the provider side turns Disconnected as Azure shows it. */
  deleteEndpoint(id: string): { endpoint: EndpointRecord; connection?: ConnectionRecord } | undefined {
    const endpoint = this.endpoints.get(idKey(id));
    if (!endpoint) return undefined;
    this.endpoints.delete(idKey(id));
    const connection = this.connections.get(idKey(endpoint.connectionId));
    if (connection) changeState(connection, "Disconnected", "Private endpoint deleted by the consumer.");
    return { endpoint, connection };
  }

  /** Approve/reject from the provider side; mirrors the state on the consumer's endpoint. */
  setConnectionState(
    connectionId: string,
    status: string,
    description: string,
  ): { connection: ConnectionRecord; changed: boolean } {
    const connection = this.connections.get(idKey(connectionId));
    if (!connection) {
      const parsed = parseArmPath(connectionId);
      throw notFound(
        `${parsed?.namespace}/${parsed?.types.join("/")}`,
        parsed?.names.join("/") ?? connectionId,
        parsed?.resourceGroup,
      );
    }
    if (status !== "Approved" && status !== "Rejected") {
      throw badRequest(
        "InvalidPrivateEndpointConnectionStatus",
        `privateLinkServiceConnectionState.status must be "Approved" or "Rejected", not "${status}".`,
      );
    }
    if (connection.status === status) {
      connection.description = description;
      return { connection, changed: false };
    }
    // As Azure: Pending → Approved|Rejected; Approved → Rejected; Rejected and Disconnected are final.
    const allowed = connection.status === "Pending" || (connection.status === "Approved" && status === "Rejected");
    if (!allowed) {
      throw badRequest(
        this.provider(connection.providerId)?.family.notPendingCode ?? "PrivateEndpointConnectionStateChangeNotAllowed",
        `The connection '${connection.name}' is ${connection.status} and cannot become ${status}; the consumer must create a new private endpoint.`,
      );
    }
    changeState(connection, status, description);
    const endpoint = this.endpoints.get(idKey(connection.privateEndpointId));
    if (endpoint) changeState(endpoint, status, description);
    return { connection, changed: true };
  }

  /** Provider-side delete: the connection goes; the consumer's endpoint shows Disconnected. */
  deleteConnection(connectionId: string): ConnectionRecord | undefined {
    const connection = this.connections.get(idKey(connectionId));
    if (!connection) return undefined;
    this.connections.delete(idKey(connectionId));
    const endpoint = this.endpoints.get(idKey(connection.privateEndpointId));
    if (endpoint) changeState(endpoint, "Disconnected", "Connection removed by the provider.");
    return connection;
  }

  endpointByNic(nicId: string): EndpointRecord | undefined {
    const key = idKey(nicId);
    return [...this.endpoints.values()].find((e) => idKey(e.nicId) === key);
  }
}
