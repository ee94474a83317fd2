import type {
  DnsRecordOwner,
  DnsRecordSpec,
  DnsRegistrar,
  DnsRemoveOutcome,
  DnsWriteOutcome,
  ListedARecord,
} from "./dns-registrar.port";

const norm = (id: string): string => id.trim().replace(/\/+$/, "").toLowerCase();

export interface InMemoryARecord {
  zone: string;
  name: string;
  ipAddresses: string[];
  ownerEndpoint?: string;
  ownerConnection?: string;
  etag?: string;
}

/** Central private DNS zones in memory. A record without an owner stands for one written by someone else. */
export class InMemoryDnsRegistrar implements DnsRegistrar {
  readonly records = new Map<string, InMemoryARecord>();
  /** Zones that exist even without records. */
  readonly zones = new Set<string>();
  private version = 0;

  private static key(zone: string, name: string): string {
    return `${zone.toLowerCase()}|${name.toLowerCase()}`;
  }

  put(record: InMemoryARecord): void {
    this.zones.add(record.zone.toLowerCase());
    this.records.set(InMemoryDnsRegistrar.key(record.zone, record.name), { ...record, etag: `e${++this.version}` });
  }

  async ensureARecord(record: DnsRecordSpec, owner: DnsRecordOwner): Promise<DnsWriteOutcome> {
    const key = InMemoryDnsRegistrar.key(record.zone, record.name);
    const existing = this.records.get(key);
    if (!existing) {
      this.put({
        ...record,
        ownerEndpoint: norm(owner.privateEndpointId),
        ownerConnection: norm(owner.connectionId),
      });
      return { outcome: "created", zone: record.zone, name: record.name };
    }
    if (existing.ownerEndpoint === norm(owner.privateEndpointId)) {
      return { outcome: "already-ours", zone: record.zone, name: record.name };
    }
    return {
      outcome: "conflict",
      zone: record.zone,
      name: record.name,
      detail: `The record exists and belongs to ${existing.ownerEndpoint ?? "someone else"}; it was left as it is.`,
    };
  }

  async removeARecord(zone: string, name: string, privateEndpointId: string): Promise<DnsRemoveOutcome> {
    const key = InMemoryDnsRegistrar.key(zone, name);
    const existing = this.records.get(key);
    if (!existing) return { outcome: "absent", zone, name };
    if (existing.ownerEndpoint !== norm(privateEndpointId)) {
      return { outcome: "not-ours", zone, name, detail: "The record belongs to another endpoint; it was kept." };
    }
    this.records.delete(key);
    return { outcome: "removed", zone, name };
  }

  async listZones(): Promise<string[]> {
    return [...new Set([...this.zones, ...[...this.records.values()].map((r) => r.zone.toLowerCase())])].sort();
  }

  async listARecords(zone: string, max: number): Promise<ListedARecord[]> {
    return [...this.records.values()]
      .filter((r) => r.zone.toLowerCase() === zone.toLowerCase())
      .slice(0, max)
      .map((r) => ({
        zone: r.zone,
        name: r.name,
        ipAddresses: [...r.ipAddresses],
        ...(r.etag ? { etag: r.etag } : {}),
        ...(r.ownerEndpoint && r.ownerConnection
          ? { owner: { privateEndpointId: r.ownerEndpoint, connectionId: r.ownerConnection } }
          : {}),
      }));
  }

  async removeListedARecord(record: ListedARecord): Promise<DnsRemoveOutcome> {
    const { zone, name } = record;
    if (!record.owner) return { outcome: "not-ours", zone, name, detail: "The record has no autopilot metadata." };
    const key = InMemoryDnsRegistrar.key(zone, name);
    const existing = this.records.get(key);
    if (!existing) return { outcome: "absent", zone, name };
    if (existing.etag !== record.etag) return { outcome: "changed", zone, name };
    if (!existing.ownerEndpoint)
      return { outcome: "not-ours", zone, name, detail: "The record has no autopilot metadata." };
    this.records.delete(key);
    return { outcome: "removed", zone, name };
  }
}
