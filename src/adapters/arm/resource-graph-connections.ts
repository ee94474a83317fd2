import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { isWithinScopes, parseArmId } from "../../domain/arm-id";
import type { ArmConnection } from "../../ports/connection-gateway.port";
import type { ConnectionGraph, ConnectionGraphPage } from "../../ports/connection-graph.port";
import { TransientError } from "../../ports/errors";
import { canonicalType, paasConnection, SUPPORTED_TYPES } from "./arm-connection-gateway";
import { toPortError } from "./arm-errors";

/** Resource Graph's largest page: at most one call per 1,000 connections. */
export const GRAPH_PAGE_SIZE = 1000;

/**
 * One row per connection: Private Link Services and the PaaS types we manage all carry their connections inline in
 * properties.privateEndpointConnections, which mv-expand turns into rows. Resource groups and single resources
 * among the scopes are filtered here (the request names their subscriptions), so the query stays one string.
 */
export function connectionsQuery(): string {
  const types = SUPPORTED_TYPES.map((t) => `'${t}'`).join(", ");
  return [
    "resources",
    `| where type in~ (${types})`,
    "| mv-expand connection = properties.privateEndpointConnections",
    "| project id, type, location, tags, connection",
  ].join("\n");
}

interface GraphRow {
  id?: string;
  type?: string;
  location?: string;
  tags?: Record<string, string> | null;
  connection?: { id?: string; properties?: Record<string, unknown> } | null;
}

/**
 * ConnectionGraph over Azure Resource Graph. Throttling: Resource Graph answers 429 with
 * x-ms-user-quota-resets-after (hh:mm:ss) when the per-user quota is spent; that becomes the TransientError's wait.
 */
export class ResourceGraphConnections implements ConnectionGraph {
  constructor(private readonly client: ResourceGraphClient) {}

  async queryConnections(scopes: readonly string[], skipToken?: string): Promise<ConnectionGraphPage> {
    const subscriptions = [...new Set(scopes.map((s) => parseArmId(s).subscriptionId.toLowerCase()))];
    let response;
    try {
      response = await this.client.resources({
        subscriptions,
        query: connectionsQuery(),
        options: { resultFormat: "objectArray", top: GRAPH_PAGE_SIZE, ...(skipToken ? { skipToken } : {}) },
      });
    } catch (error) {
      throw withQuotaWait(toPortError(error, "querying Azure Resource Graph"), error);
    }
    // objectArray rows; the SDK's deserialiser hands the array over as an object keyed "0", "1", ...
    const data: unknown = response.data;
    const rows = (
      Array.isArray(data) ? data : data && typeof data === "object" ? Object.values(data) : []
    ) as GraphRow[];
    const connections: ArmConnection[] = [];
    const resourceIds = new Map<string, string>();
    for (const row of rows) {
      if (!row.id || !row.type || !isWithinScopes(row.id, scopes)) continue;
      resourceIds.set(row.id.toLowerCase(), row.id);
      if (!row.connection?.id) continue;
      const resource = {
        id: row.id,
        type: canonicalType(row.type),
        ...(row.location ? { location: row.location } : {}),
        ...(row.tags ? { tags: row.tags } : {}),
      };
      connections.push(
        paasConnection({ id: row.connection.id, properties: row.connection.properties ?? {} }, resource),
      );
    }
    return {
      connections,
      resourceIds: [...resourceIds.values()],
      ...(response.skipToken ? { skipToken: response.skipToken } : {}),
    };
  }
}

/** Resource Graph says when its quota refills (x-ms-user-quota-resets-after, hh:mm:ss); wait that long. */
function withQuotaWait(mapped: Error, raw: unknown): Error {
  if (!(mapped instanceof TransientError) || mapped.retryAfterMs !== undefined) return mapped;
  const header = (
    raw as { response?: { headers?: { get(name: string): string | undefined } } }
  )?.response?.headers?.get("x-ms-user-quota-resets-after");
  const match = /^(\d+):(\d{2}):(\d{2})/.exec(header ?? "");
  if (!match) return mapped;
  const ms = ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000;
  return new TransientError(mapped.code, mapped.message, ms);
}
