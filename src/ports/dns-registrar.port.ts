/** One A record the workflow wants in a central private DNS zone. */
export interface DnsRecordSpec {
  zone: string;
  /** Relative record-set name, e.g. "myserver". */
  name: string;
  ipAddresses: string[];
}

/** Who a record belongs to: written into the record set's metadata so clean-up never removes another's record. */
export interface DnsRecordOwner {
  privateEndpointId: string;
  connectionId: string;
}

export type DnsWriteOutcome =
  | { outcome: "created"; zone: string; name: string }
  | { outcome: "already-ours"; zone: string; name: string }
  | { outcome: "conflict"; zone: string; name: string; detail: string };

export type DnsRemoveOutcome =
  | { outcome: "removed"; zone: string; name: string }
  | { outcome: "absent"; zone: string; name: string }
  | { outcome: "not-ours"; zone: string; name: string; detail: string }
  /** The record changed since it was listed (ETag mismatch): it was kept; the next run looks again. */
  | { outcome: "changed"; zone: string; name: string };

/** An A record set as listed in a central zone; owner is set only when its metadata says we wrote it. */
export interface ListedARecord {
  zone: string;
  name: string;
  ipAddresses: string[];
  etag?: string;
  owner?: DnsRecordOwner;
}

/** Writes A records in the central zones, never overwriting a record someone else owns. */
export interface DnsRegistrar {
  ensureARecord(record: DnsRecordSpec, owner: DnsRecordOwner): Promise<DnsWriteOutcome>;
  /** Removes the record only when its metadata names this endpoint. */
  removeARecord(zone: string, name: string, privateEndpointId: string): Promise<DnsRemoveOutcome>;
  /** The private DNS zones in the central resource group (every page). */
  listZones(): Promise<string[]>;
  /** A record sets of one zone, following pages, at most `max` of them. */
  listARecords(zone: string, max: number): Promise<ListedARecord[]>;
  /**
   * Deletes a listed record that carries our metadata, with If-Match on its listed ETag, so a record rewritten since
   * the listing is never removed ("changed"). A record without our metadata is refused ("not-ours").
   */
  removeListedARecord(record: ListedARecord): Promise<DnsRemoveOutcome>;
}
