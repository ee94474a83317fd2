import type { PrivateDnsManagementClient, RecordSet } from "@azure/arm-privatedns";
import { decodeKey, encodeKey, normaliseArmId, parseArmId } from "../../domain/arm-id";
import type {
  DnsRecordOwner,
  DnsRecordSpec,
  DnsRegistrar,
  DnsRemoveOutcome,
  DnsWriteOutcome,
  ListedARecord,
} from "../../ports/dns-registrar.port";
import { statusOf, toPortError } from "./arm-errors";

/** Metadata keys that tie a record set to the endpoint and connection it was written for. */
export const OWNER_ENDPOINT_KEY = "plaEndpoint";
export const OWNER_CONNECTION_KEY = "plaConnection";
const TTL_SECONDS = 10;
const MAX_RACE_RETRIES = 3;

/**
 * A records in the central private DNS zones (DNS_ZONES_RESOURCE_GROUP_ID). Creates with If-None-Match: *,
 * updates and deletes with If-Match: etag, and never touches a record whose metadata names another endpoint.
 */
export class ArmDnsRegistrar implements DnsRegistrar {
  private readonly subscriptionId: string;
  private readonly resourceGroup: string;

  constructor(
    private readonly client: (subscriptionId: string) => PrivateDnsManagementClient,
    zonesResourceGroupId: string,
    private readonly callTimeoutMs = 60_000,
  ) {
    const rg = parseArmId(zonesResourceGroupId);
    if (!rg.resourceGroup) throw new Error("DNS_ZONES_RESOURCE_GROUP_ID must name a resource group.");
    this.subscriptionId = rg.subscriptionId;
    this.resourceGroup = rg.resourceGroup;
  }

  async ensureARecord(record: DnsRecordSpec, owner: DnsRecordOwner): Promise<DnsWriteOutcome> {
    const sets = this.client(this.subscriptionId).recordSets;
    const mine = ownerValue(owner.privateEndpointId);
    const body: RecordSet = {
      ttl: TTL_SECONDS,
      aRecords: record.ipAddresses.map((ipv4Address) => ({ ipv4Address })),
      metadata: { [OWNER_ENDPOINT_KEY]: mine, [OWNER_CONNECTION_KEY]: ownerValue(owner.connectionId) },
    };
    const where = `${record.name}.${record.zone}`;
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      try {
        await sets.createOrUpdate(this.resourceGroup, record.zone, "A", record.name, body, {
          ifNoneMatch: "*",
          ...this.opts(),
        });
        return { outcome: "created", zone: record.zone, name: record.name };
      } catch (error) {
        if (statusOf(error) !== 412) throw toPortError(error, `creating A ${where}`);
      }
      // It exists: ours (same endpoint) is kept in step; anyone else's is left alone.
      let existing: RecordSet;
      try {
        existing = await sets.get(this.resourceGroup, record.zone, "A", record.name, this.opts());
      } catch (error) {
        if (statusOf(error) === 404) continue; // deleted in between: create again
        throw toPortError(error, `reading A ${where}`);
      }
      if (existing.metadata?.[OWNER_ENDPOINT_KEY] !== mine) {
        const who = existing.metadata?.[OWNER_ENDPOINT_KEY];
        return {
          outcome: "conflict",
          zone: record.zone,
          name: record.name,
          detail: who
            ? `The name is registered for another private endpoint (${safeDecode(who)}); it was left as it is.`
            : "The name exists and was not written by the autopilot; it was left as it is.",
        };
      }
      const want = [...record.ipAddresses].sort().join(",");
      const have = (existing.aRecords ?? [])
        .map((a) => a.ipv4Address ?? "")
        .sort()
        .join(",");
      if (want === have) return { outcome: "already-ours", zone: record.zone, name: record.name };
      try {
        await sets.createOrUpdate(this.resourceGroup, record.zone, "A", record.name, body, {
          ...(existing.etag ? { ifMatch: existing.etag } : {}),
          ...this.opts(),
        });
        return { outcome: "already-ours", zone: record.zone, name: record.name };
      } catch (error) {
        if (statusOf(error) !== 412) throw toPortError(error, `updating A ${where}`);
      }
    }
    throw toPortError({ statusCode: 503, name: "EtagRace" }, `writing A ${where} (lost ETag races)`);
  }

  async removeARecord(zone: string, name: string, privateEndpointId: string): Promise<DnsRemoveOutcome> {
    const sets = this.client(this.subscriptionId).recordSets;
    const where = `${name}.${zone}`;
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      let existing: RecordSet;
      try {
        existing = await sets.get(this.resourceGroup, zone, "A", name, this.opts());
      } catch (error) {
        if (statusOf(error) === 404) return { outcome: "absent", zone, name };
        throw toPortError(error, `reading A ${where}`);
      }
      if (existing.metadata?.[OWNER_ENDPOINT_KEY] !== ownerValue(privateEndpointId)) {
        return {
          outcome: "not-ours",
          zone,
          name,
          detail: "The record belongs to another endpoint or to a person; it was kept.",
        };
      }
      try {
        await sets.delete(this.resourceGroup, zone, "A", name, {
          ...(existing.etag ? { ifMatch: existing.etag } : {}),
          ...this.opts(),
        });
        return { outcome: "removed", zone, name };
      } catch (error) {
        if (statusOf(error) !== 412) throw toPortError(error, `deleting A ${where}`);
      }
    }
    throw toPortError({ statusCode: 503, name: "EtagRace" }, `deleting A ${where} (lost ETag races)`);
  }

  async listZones(): Promise<string[]> {
    const zones: string[] = [];
    try {
      for await (const zone of this.client(this.subscriptionId).privateZones.listByResourceGroup(
        this.resourceGroup,
        this.opts(),
      )) {
        if (zone.name) zones.push(zone.name);
      }
    } catch (error) {
      throw toPortError(error, `listing the private DNS zones of ${this.resourceGroup}`);
    }
    return zones;
  }

  async listARecords(zone: string, max: number): Promise<ListedARecord[]> {
    const out: ListedARecord[] = [];
    try {
      const pages = this.client(this.subscriptionId).recordSets.listByType(this.resourceGroup, zone, "A", {
        top: Math.min(Math.max(max, 1), 100),
        ...this.opts(),
      });
      for await (const set of pages) {
        if (out.length >= max) break;
        if (!set.name) continue;
        const endpoint = set.metadata?.[OWNER_ENDPOINT_KEY];
        const connection = set.metadata?.[OWNER_CONNECTION_KEY];
        const owner =
          endpoint && connection
            ? { privateEndpointId: safeDecode(endpoint), connectionId: safeDecode(connection) }
            : undefined;
        out.push({
          zone,
          name: set.name,
          ipAddresses: (set.aRecords ?? []).map((a) => a.ipv4Address ?? "").filter((ip) => ip !== ""),
          ...(set.etag ? { etag: set.etag } : {}),
          ...(owner ? { owner } : {}),
        });
      }
    } catch (error) {
      throw toPortError(error, `listing the A records of ${zone}`);
    }
    return out;
  }

  async removeListedARecord(record: ListedARecord): Promise<DnsRemoveOutcome> {
    const { zone, name } = record;
    // Without our metadata, or without an ETag to pin the version we judged, nothing is deleted.
    if (!record.owner || !record.etag) {
      return { outcome: "not-ours", zone, name, detail: "The record has no autopilot metadata or ETag; it was kept." };
    }
    try {
      await this.client(this.subscriptionId).recordSets.delete(this.resourceGroup, zone, "A", name, {
        ifMatch: record.etag,
        ...this.opts(),
      });
      return { outcome: "removed", zone, name };
    } catch (error) {
      if (statusOf(error) === 412) return { outcome: "changed", zone, name };
      if (statusOf(error) === 404) return { outcome: "absent", zone, name };
      throw toPortError(error, `deleting A ${name}.${zone}`);
    }
  }

  private opts(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.callTimeoutMs) };
  }
}

function ownerValue(armId: string): string {
  return encodeKey(normaliseArmId(armId));
}

function safeDecode(value: string): string {
  try {
    return decodeKey(value);
  } catch {
    return value;
  }
}
