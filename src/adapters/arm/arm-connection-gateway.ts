import type { NetworkManagementClient, PrivateEndpointConnection } from "@azure/arm-network";
import type { GenericResource, ResourceManagementClient } from "@azure/arm-resources";
import type { AzureConnectionStatus } from "../../domain/connection";
import { parseArmId, type ArmId } from "../../domain/arm-id";
import {
  endpointNeedsNics,
  withEndpointGroupIds,
  type ConnectionGateway,
  type ArmConnection,
  type GetConnectionOptions,
  type GetPrivateEndpointOptions,
  type PrivateEndpointInfo,
  type ProviderResource,
} from "../../ports/connection-gateway.port";
import { PermanentCodes, PermanentError } from "../../ports/errors";
import apiVersions from "./api-versions.json";
import { statusOf, toPortError } from "./arm-errors";
import { deleteAndPoll, listAll, putAndPoll } from "./arm-lro";

const PLS_TYPE = "microsoft.network/privatelinkservices";

/** Per-subscription SDK clients, built by the composition root (endpoint, credential, CA). */
export interface ArmClients {
  network(subscriptionId: string): NetworkManagementClient;
  resources(subscriptionId: string): ResourceManagementClient;
}

export interface ArmGatewayOptions {
  /** Bounds every call, including a huge Retry-After inside the SDK's retry policy. */
  callTimeoutMs?: number;
  /** Long-running operation polling interval (tests shorten it). */
  pollIntervalMs?: number;
  /** ARM_ENDPOINT, for the calls we send ourselves (default https://management.azure.com). */
  endpoint?: string;
}

const API_VERSIONS: Record<string, string> = Object.fromEntries(
  Object.entries(apiVersions as Record<string, string>)
    .filter(([type]) => !type.startsWith("$"))
    .map(([type, version]) => [type.toLowerCase(), version]),
);

/** Resource types we can manage: Private Link Services plus every type in api-versions.json. */
export const SUPPORTED_TYPES: readonly string[] = [PLS_TYPE, ...Object.keys(API_VERSIONS)];

const CANONICAL_TYPES = [
  "Microsoft.Network/privateLinkServices",
  ...Object.keys(apiVersions as Record<string, string>).filter((t) => !t.startsWith("$")),
];

/** Resource Graph reports types in lower case; policy and records use ARM's casing. */
export function canonicalType(type: string): string {
  return CANONICAL_TYPES.find((t) => t.toLowerCase() === type.toLowerCase()) ?? type;
}

export function isSupportedType(type: string): boolean {
  return type.toLowerCase() === PLS_TYPE || API_VERSIONS[type.toLowerCase()] !== undefined;
}

/**
 * ConnectionGateway over ARM: Private Link Services through @azure/arm-network, PaaS resources through generic
 * ARM calls with the api-version kept as data. Every failure is mapped onto TransientError / PermanentError.
 */
export class ArmConnectionGateway implements ConnectionGateway {
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly endpoint: string;

  constructor(
    private readonly clients: ArmClients,
    options: ArmGatewayOptions = {},
  ) {
    this.timeoutMs = options.callTimeoutMs ?? 120_000;
    this.pollMs = options.pollIntervalMs ?? 2_000;
    this.endpoint = (options.endpoint ?? "https://management.azure.com").replace(/\/+$/, "");
  }

  async getConnection(connectionId: string, options: GetConnectionOptions = {}): Promise<ArmConnection | undefined> {
    const { id, provider } = this.parseConnection(connectionId);
    const bare: ProviderInfo = { id: provider.id, type: provider.type! };
    try {
      const resource = options.withProviderResource === false ? bare : await this.providerResource(provider);
      if (isPls(provider)) {
        // The service GET lists its connections inline (readOnly in the REST spec): one call brings tags and state.
        const inline = resource.plsConnections?.find((c) => c.id?.toLowerCase() === id.id.toLowerCase());
        const c =
          inline ??
          (await this.clients
            .network(id.subscriptionId)
            .privateLinkServices.getPrivateEndpointConnection(
              provider.resourceGroup!,
              provider.name!,
              id.name!,
              this.opts(),
            ));
        return plsConnection(c, resource, connectionId);
      }
      // A PaaS resource lists its connections inline: the read that brought the tags brought the status too.
      const inline = inlineConnections(resource).find((c) => c.id?.toLowerCase() === id.id.toLowerCase());
      const raw =
        inline ??
        (await this.clients
          .resources(id.subscriptionId)
          .resources.getById(trimSlash(id.id), this.apiVersion(provider), this.opts()));
      const state = paasConnection(raw, resource, connectionId);
      return options.withProviderResource === false ? state : await this.withEndpointGroupIds(state);
    } catch (error) {
      // Key Vault answers 204 for a connection that does not exist (getPrivateEndpointConnection example).
      if (statusOf(error) === 404 || statusOf(error) === 204) return undefined;
      throw toPortError(error, `reading connection ${connectionId}`);
    }
  }

  async listConnections(providerResourceId: string): Promise<ArmConnection[]> {
    const provider = parseArmId(providerResourceId);
    if (!provider.type || !isSupportedType(provider.type)) return [];
    try {
      const resource = await this.providerResource(provider);
      // The read that brought the tags lists the connections inline (every vendored spec declares them there)...
      if (isPls(provider)) return (resource.plsConnections ?? []).map((c) => plsConnection(c, resource));
      // ...but a GET may leave the list out (Key Vault's getVault example has none): then the service's own list.
      const inline = inlineConnectionList(resource);
      const items = inline ?? (await this.listPaasConnections(provider));
      return items.map((c) => paasConnection(c, resource));
    } catch (error) {
      // Gone (the resource, or between its GET and its connection list): nothing to list.
      if (statusOf(error) === 404 || (error instanceof PermanentError && error.code === PermanentCodes.notFound)) {
        return [];
      }
      throw toPortError(error, `listing the connections of ${providerResourceId}`);
    }
  }

  async listProviderResources(scopeId: string): Promise<ProviderResource[]> {
    const scope = parseArmId(scopeId);
    // A resource id (it names a provider) is itself the one resource; otherwise a resource group or subscription.
    if (scope.provider && scope.type) {
      return isSupportedType(scope.type) ? [{ id: scope.id, type: scope.type }] : [];
    }
    try {
      const client = this.clients.resources(scope.subscriptionId).resources;
      const pages = scope.resourceGroup
        ? client.listByResourceGroup(scope.resourceGroup, this.opts())
        : client.list(this.opts());
      const out: ProviderResource[] = [];
      for await (const r of pages) {
        if (!r.id || !r.type || !isSupportedType(r.type)) continue;
        out.push({
          id: r.id,
          type: r.type,
          ...(r.location ? { location: r.location } : {}),
          ...(r.tags ? { tags: r.tags } : {}),
        });
      }
      return out;
    } catch (error) {
      throw toPortError(error, `listing resources in ${scopeId}`);
    }
  }

  async setConnectionStatus(
    connectionId: string,
    status: "Approved" | "Rejected",
    description: string,
  ): Promise<ArmConnection> {
    const { id, provider } = this.parseConnection(connectionId);
    try {
      if (isPls(provider)) {
        const state = { status, description, actionsRequired: "None" };
        const c = await this.clients
          .network(id.subscriptionId)
          .privateLinkServices.updatePrivateEndpointConnection(
            provider.resourceGroup!,
            provider.name!,
            id.name!,
            { name: id.name!, privateLinkServiceConnectionState: state },
            this.opts(),
          );
        return plsConnection(c, { id: provider.id, type: provider.type! }, connectionId);
      }
      // Our own long-running PUT: the SDK poller would GET the connection again after the operation succeeds.
      const written = await putAndPoll(this.clients.resources(id.subscriptionId), {
        url: this.urlOf(id.id, provider),
        // No actionsRequired: Storage names that field actionRequired; status and description are what we set.
        body: { properties: { privateLinkServiceConnectionState: { status, description } } },
        pollIntervalMs: this.pollMs,
        timeoutMs: this.timeoutMs,
      });
      const bare: ProviderInfo = { id: provider.id, type: provider.type! };
      if (isObject(written)) return paasConnection(written, bare, connectionId);
      return { connectionId, ...common(bare), armStatus: status, description, groupIds: [] };
    } catch (error) {
      throw toPortError(error, `setting ${status} on ${connectionId}`);
    }
  }

  async deleteConnection(connectionId: string): Promise<void> {
    const { id, provider } = this.parseConnection(connectionId);
    try {
      if (isPls(provider)) {
        await this.clients
          .network(id.subscriptionId)
          .privateLinkServices.beginDeletePrivateEndpointConnectionAndWait(
            provider.resourceGroup!,
            provider.name!,
            id.name!,
            {
              ...this.opts(),
              updateIntervalInMs: this.pollMs,
            },
          );
        return;
      }
      // Our own poller: Key Vault's Location is on another host, which must never see our token.
      await deleteAndPoll(this.clients.resources(id.subscriptionId), {
        url: this.urlOf(id.id, provider),
        pollIntervalMs: this.pollMs,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw toPortError(error, `deleting ${connectionId}`);
    }
  }

  async getPrivateEndpoint(
    endpointId: string,
    options: GetPrivateEndpointOptions = {},
  ): Promise<PrivateEndpointInfo | undefined> {
    const id = parseArmId(endpointId);
    if (!id.resourceGroup || !id.name || id.type?.toLowerCase() !== "microsoft.network/privateendpoints") {
      throw new PermanentError("ENDPOINT_ID_INVALID", `${endpointId} is not a private endpoint id.`);
    }
    const network = this.clients.network(id.subscriptionId);
    try {
      const pe = await network.privateEndpoints.get(id.resourceGroup, id.name, this.opts());
      const connections = [
        ...(pe.privateLinkServiceConnections ?? []),
        ...(pe.manualPrivateLinkServiceConnections ?? []),
      ];
      const customDnsConfigs = (pe.customDnsConfigs ?? [])
        .filter((c) => c.fqdn)
        .map((c) => ({ fqdn: c.fqdn!, ipAddresses: c.ipAddresses ?? [] }));
      const readNics =
        options.nics === "never" ? false : options.nics !== "when-needed" || endpointNeedsNics(customDnsConfigs);
      const nicConfigs: PrivateEndpointInfo["nicIpConfigurations"] = [];
      for (const nicRef of readNics ? (pe.networkInterfaces ?? []) : []) {
        if (!nicRef.id) continue;
        const nicId = parseArmId(nicRef.id);
        const nic = await this.clients
          .network(nicId.subscriptionId)
          .networkInterfaces.get(nicId.resourceGroup!, nicId.name!, this.opts());
        for (const ip of nic.ipConfigurations ?? []) {
          if (!ip.privateIPAddress) continue;
          const props = ip.privateLinkConnectionProperties;
          nicConfigs.push({
            privateIPAddress: ip.privateIPAddress,
            fqdns: props?.fqdns ?? [],
            ...(props?.groupId ? { groupId: props.groupId } : {}),
            ...(props?.requiredMemberName ? { requiredMemberName: props.requiredMemberName } : {}),
          });
        }
      }
      return {
        id: pe.id ?? endpointId,
        ...(pe.location ? { location: pe.location } : {}),
        targets: connections
          .filter((c) => c.privateLinkServiceId)
          .map((c) => ({ targetResourceId: c.privateLinkServiceId!, groupIds: c.groupIds ?? [] })),
        customDnsConfigs,
        nicIpConfigurations: nicConfigs,
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toPortError(error, `reading private endpoint ${endpointId}`);
    }
  }

  private parseConnection(connectionId: string): { id: ArmId; provider: ArmId } {
    const id = parseArmId(connectionId);
    const provider = id.parent;
    if (!provider?.type || !provider.resourceGroup || !provider.name || !id.name) {
      throw new PermanentError("CONNECTION_ID_INVALID", `${connectionId} is not a private endpoint connection id.`);
    }
    if (!isSupportedType(provider.type)) {
      throw new PermanentError(
        PermanentCodes.unsupportedResourceType,
        `${provider.type} is not managed: add its api-version to src/adapters/arm/api-versions.json.`,
      );
    }
    return { id, provider };
  }

  private async providerResource(provider: ArmId): Promise<ProviderInfo> {
    if (isPls(provider)) {
      const pls = await this.clients
        .network(provider.subscriptionId)
        .privateLinkServices.get(provider.resourceGroup!, provider.name!, this.opts());
      return {
        id: pls.id ?? provider.id,
        type: provider.type!,
        ...(pls.location ? { location: pls.location } : {}),
        ...(pls.tags ? { tags: pls.tags } : {}),
        plsConnections: pls.privateEndpointConnections ?? [],
      };
    }
    const raw = await this.clients
      .resources(provider.subscriptionId)
      .resources.getById(trimSlash(provider.id), this.apiVersion(provider), this.opts());
    return {
      id: raw.id ?? provider.id,
      type: provider.type!,
      ...(raw.location ? { location: raw.location } : {}),
      ...(raw.tags ? { tags: raw.tags } : {}),
      raw,
    };
  }

  /** `{resource}/privateEndpointConnections`, every page: what the service lists when its GET did not inline it. */
  private async listPaasConnections(provider: ArmId): Promise<GenericResource[]> {
    const items = await listAll(this.clients.resources(provider.subscriptionId), {
      url: this.urlOf(`${provider.id}/privateEndpointConnections`, provider),
      timeoutMs: this.timeoutMs,
    });
    return items.filter(isObject);
  }

  private urlOf(resourceId: string, provider: ArmId): string {
    return `${this.endpoint}/${trimSlash(resourceId)}?api-version=${encodeURIComponent(this.apiVersion(provider))}`;
  }

  /**
   * Storage and Key Vault connections carry no groupIds (not in their schemas): the consumer's endpoint has them.
   * An endpoint we may not read (another tenant) leaves them empty, which matches no group-id rule.
   */
  private async withEndpointGroupIds(state: ArmConnection): Promise<ArmConnection> {
    if (state.groupIds.length > 0 || !state.privateEndpointId) return state;
    try {
      const endpoint = await this.getPrivateEndpoint(state.privateEndpointId, { nics: "when-needed" });
      return endpoint ? withEndpointGroupIds(state, endpoint) : state;
    } catch (error) {
      if (error instanceof PermanentError) return state;
      throw error;
    }
  }

  private apiVersion(provider: ArmId): string {
    const version = API_VERSIONS[provider.type!.toLowerCase()];
    if (!version) {
      throw new PermanentError(
        PermanentCodes.unsupportedResourceType,
        `${provider.type} has no api-version configured.`,
      );
    }
    return version;
  }

  private opts(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }
}

export interface ProviderInfo {
  id: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  raw?: GenericResource;
  /** A Private Link Service's connections, which its GET carries inline (readOnly in the REST spec). */
  plsConnections?: PrivateEndpointConnection[];
}

function isObject(value: unknown): value is GenericResource {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function inlineConnections(resource: ProviderInfo): GenericResource[] {
  return inlineConnectionList(resource) ?? [];
}

/** The connections a resource's GET carried inline; undefined when the answer had no list at all (not: an empty one). */
function inlineConnectionList(resource: ProviderInfo): GenericResource[] | undefined {
  const props = resource.raw?.properties as { privateEndpointConnections?: unknown } | undefined;
  const list = props?.privateEndpointConnections;
  return Array.isArray(list) ? list.filter(isObject) : undefined;
}

function isPls(id: ArmId): boolean {
  return id.type?.toLowerCase() === PLS_TYPE;
}

/** The generic client writes "/" + id: an id that keeps its leading slash becomes "//subscriptions/...". */
function trimSlash(id: string): string {
  return id.replace(/^\/+/, "");
}

function status(value: string | undefined): AzureConnectionStatus {
  const known: AzureConnectionStatus[] = ["Pending", "Approved", "Rejected", "Disconnected"];
  // A status we do not know is not Pending: "Unknown" makes every step leave the connection alone.
  return known.find((k) => k.toLowerCase() === (value ?? "").toLowerCase()) ?? "Unknown";
}

function common(
  resource: ProviderInfo,
): Pick<ArmConnection, "providerResourceId" | "providerResourceType" | "location" | "providerResourceTags"> {
  return {
    providerResourceId: resource.id,
    providerResourceType: resource.type,
    ...(resource.location ? { location: resource.location } : {}),
    ...(resource.tags ? { providerResourceTags: resource.tags } : {}),
  };
}

/** The SDK's (flattened) Private Link Service connection carries the same fields as a PaaS connection's properties. */
function plsConnection(c: PrivateEndpointConnection, resource: ProviderInfo, fallbackId?: string): ArmConnection {
  return connectionState(c.id ?? fallbackId ?? "", { ...c, groupIds: [] }, resource);
}

interface PaasProperties {
  privateEndpoint?: { id?: string };
  privateLinkServiceConnectionState?: { status?: string; description?: string };
  groupIds?: string[];
}

/** A connection as a resource carries it inline (PaaS GET, Resource Graph rows): id plus properties. */
export function paasConnection(raw: GenericResource, resource: ProviderInfo, fallbackId?: string): ArmConnection {
  return connectionState(raw.id ?? fallbackId ?? "", raw.properties ?? {}, resource);
}

function connectionState(connectionId: string, p: PaasProperties, resource: ProviderInfo): ArmConnection {
  const s = status(p.privateLinkServiceConnectionState?.status);
  const description = p.privateLinkServiceConnectionState?.description;
  return {
    connectionId,
    ...common(resource),
    armStatus: s,
    ...(description ? { description } : {}),
    ...(p.privateEndpoint?.id ? { privateEndpointId: p.privateEndpoint.id } : {}),
    groupIds: p.groupIds ?? [],
    // While Pending, the description carries the consumer's request message.
    ...(s === "Pending" && description ? { requestMessage: description } : {}),
  };
}
