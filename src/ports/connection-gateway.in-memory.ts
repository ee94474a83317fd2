import {
  endpointNeedsNics,
  type ConnectionGateway,
  type ArmConnection,
  type GetConnectionOptions,
  type GetPrivateEndpointOptions,
  type PrivateEndpointInfo,
  type ProviderResource,
} from "./connection-gateway.port";
import { PermanentError, PermanentCodes } from "./errors";

const norm = (id: string): string => id.trim().replace(/\/+$/, "").toLowerCase();

type Method = keyof ConnectionGateway;

/** ARM in memory: connections, endpoints and provider resources, with scripted failures for tests. */
export class InMemoryConnectionGateway implements ConnectionGateway {
  readonly connections = new Map<string, ArmConnection>();
  readonly endpoints = new Map<string, PrivateEndpointInfo>();
  readonly forbiddenEndpoints = new Set<string>();
  readonly resources: ProviderResource[] = [];
  /** Every write, in order, so tests can assert "nothing approved". */
  readonly writes: { method: Method; connectionId: string; status?: string; description?: string }[] = [];
  /** Every read, in order, with what it would cost against ARM, so tests can assert the call budget. */
  readonly reads: { method: Method; id: string; detail?: string }[] = [];
  private readonly failures = new Map<Method, Error[]>();

  /** The next calls of `method` throw these errors, one per call. */
  failNext(method: Method, ...errors: Error[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...errors]);
  }

  addConnection(state: ArmConnection): void {
    this.connections.set(norm(state.connectionId), { ...state });
  }

  addEndpoint(info: PrivateEndpointInfo, options: { forbidden?: boolean } = {}): void {
    this.endpoints.set(norm(info.id), info);
    if (options.forbidden) this.forbiddenEndpoints.add(norm(info.id));
  }

  async getConnection(connectionId: string, options: GetConnectionOptions = {}): Promise<ArmConnection | undefined> {
    this.maybeFail("getConnection");
    const full = options.withProviderResource !== false;
    this.reads.push({ method: "getConnection", id: connectionId, detail: full ? "with-provider" : "status" });
    const found = this.connections.get(norm(connectionId));
    if (!found) return undefined;
    if (full) return { ...found };
    const { providerResourceTags: _tags, location: _location, ...status } = found;
    return status;
  }

  async listConnections(providerResourceId: string): Promise<ArmConnection[]> {
    this.maybeFail("listConnections");
    this.reads.push({ method: "listConnections", id: providerResourceId });
    return [...this.connections.values()]
      .filter((c) => norm(c.providerResourceId) === norm(providerResourceId))
      .map((c) => ({ ...c }));
  }

  async listProviderResources(scopeId: string): Promise<ProviderResource[]> {
    this.maybeFail("listProviderResources");
    const scope = norm(scopeId);
    return this.resources.filter((r) => norm(r.id) === scope || norm(r.id).startsWith(scope + "/"));
  }

  async setConnectionStatus(
    connectionId: string,
    status: "Approved" | "Rejected",
    description: string,
  ): Promise<ArmConnection> {
    this.maybeFail("setConnectionStatus");
    const found = this.connections.get(norm(connectionId));
    if (!found) throw new PermanentError(PermanentCodes.notFound, `Connection ${connectionId} does not exist.`);
    this.writes.push({ method: "setConnectionStatus", connectionId, status, description });
    found.armStatus = status;
    found.description = description;
    return { ...found };
  }

  async deleteConnection(connectionId: string): Promise<void> {
    this.maybeFail("deleteConnection");
    this.writes.push({ method: "deleteConnection", connectionId });
    this.connections.delete(norm(connectionId));
  }

  async getPrivateEndpoint(
    endpointId: string,
    options: GetPrivateEndpointOptions = {},
  ): Promise<PrivateEndpointInfo | undefined> {
    this.maybeFail("getPrivateEndpoint");
    if (this.forbiddenEndpoints.has(norm(endpointId))) {
      throw new PermanentError(PermanentCodes.forbidden, `Reading ${endpointId} is not allowed.`);
    }
    const found = this.endpoints.get(norm(endpointId));
    const nics =
      options.nics === "never"
        ? false
        : options.nics !== "when-needed" || (found ? endpointNeedsNics(found.customDnsConfigs) : false);
    this.reads.push({ method: "getPrivateEndpoint", id: endpointId, detail: nics ? "with-nics" : "endpoint-only" });
    if (!found || nics) return found;
    return { ...found, nicIpConfigurations: [] };
  }

  private maybeFail(method: Method): void {
    const queue = this.failures.get(method);
    const next = queue?.shift();
    if (next) throw next;
  }
}
