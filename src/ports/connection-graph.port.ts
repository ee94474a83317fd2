import type { ArmConnection } from "./connection-gateway.port";

/** One page of connections across the managed scopes, and where the next page starts. */
export interface ConnectionGraphPage {
  connections: ArmConnection[];
  /** Provider resources whose rows this page holds (a resource may span two pages). */
  resourceIds: string[];
  skipToken?: string;
}

/**
 * Lists the private endpoint connections of every managed provider resource in one paged query (Azure Resource
 * Graph). Failures come as TransientError (429 with the quota's reset time, 5xx) or PermanentError.
 */
export interface ConnectionGraph {
  queryConnections(scopes: readonly string[], skipToken?: string): Promise<ConnectionGraphPage>;
}
