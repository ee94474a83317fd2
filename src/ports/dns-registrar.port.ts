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
  | { outcome: "not-ours"; zone: string; name: string; detail: string };

/** Writes A records in the central zones, never overwriting a record someone else owns. */
export interface DnsRegistrar {
  ensureARecord(record: DnsRecordSpec, owner: DnsRecordOwner): Promise<DnsWriteOutcome>;
  /** Removes the record only when its metadata names this endpoint. */
  removeARecord(zone: string, name: string, privateEndpointId: string): Promise<DnsRemoveOutcome>;
}
