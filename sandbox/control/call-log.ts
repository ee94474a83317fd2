export interface CallEntry {
  at: string;
  /** The Host header: a client that follows a poll URL to another host shows here. */
  host: string;
  method: string;
  path: string;
  /** e.g. "PUT privateLinkServices/privateEndpointConnections"; lists end in " (list)". */
  operation: string;
  apiVersion: string;
  status: number;
  fault?: string;
}

export interface OperationCounter {
  count: number;
  apiVersions: Record<string, number>;
  statuses: Record<string, number>;
}

const MAX_ENTRIES = 5000;

/** Every ARM call the sandbox answered, and counters per operation. */
export class CallLog {
  private entries: CallEntry[] = [];
  private counters = new Map<string, OperationCounter>();

  record(entry: CallEntry): void {
    this.entries.push(entry);
    // Keep memory bounded in long demo runs; counters stay exact.
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    const c = this.counters.get(entry.operation) ?? { count: 0, apiVersions: {}, statuses: {} };
    c.count += 1;
    c.apiVersions[entry.apiVersion] = (c.apiVersions[entry.apiVersion] ?? 0) + 1;
    c.statuses[String(entry.status)] = (c.statuses[String(entry.status)] ?? 0) + 1;
    this.counters.set(entry.operation, c);
  }

  snapshot(): { total: number; counters: Record<string, OperationCounter>; calls: CallEntry[] } {
    return { total: this.entries.length, counters: Object.fromEntries(this.counters), calls: [...this.entries] };
  }

  reset(): void {
    this.entries = [];
    this.counters = new Map();
  }
}

/** "PUT privateLinkServices/privateEndpointConnections" from the method and the path's type segments. */
export function operationName(method: string, types: string[], isCollection: boolean): string {
  return `${method} ${types.join("/")}${isCollection && method === "GET" ? " (list)" : ""}`;
}
