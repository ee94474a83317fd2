/**
 * The DNS registrar's ETag discipline, against a small stand-in for the private DNS SDK's record sets that honours
 * If-None-Match / If-Match as Azure does and lets a test slip another writer in between our read and our write.
 */
import type { PrivateDnsManagementClient, RecordSet } from "@azure/arm-privatedns";
import { describe, expect, it } from "vitest";
import { ArmDnsRegistrar } from "../../../src/adapters/arm/arm-dns-registrar";
import { encodeKey } from "../../../src/domain/arm-id";
import { PermanentError, TransientError } from "../../../src/ports/errors";

const ZONES_RG = "/subscriptions/00000000-0000-0000-0000-0000000000d1/resourceGroups/rg-dns";
const ENDPOINT =
  "/subscriptions/00000000-0000-0000-0000-0000000000c1/resourceGroups/rg-c/providers/Microsoft.Network/privateEndpoints/pe-1";
const OTHER =
  "/subscriptions/00000000-0000-0000-0000-0000000000c1/resourceGroups/rg-c/providers/Microsoft.Network/privateEndpoints/pe-2";
const CONNECTION =
  "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-p/providers/Microsoft.Network/privateLinkServices/pls/privateEndpointConnections/c1";
const ZONE = "privatelink.postgres.database.azure.com";
const owner = { privateEndpointId: ENDPOINT, connectionId: CONNECTION };
const mineMeta = { plaEndpoint: encodeKey(ENDPOINT), plaConnection: encodeKey(CONNECTION) };

const httpError = (statusCode: number) =>
  Object.assign(new Error(`HTTP ${statusCode}`), { statusCode, name: "RestError" });

interface Call {
  op: "put" | "get" | "delete" | "list";
  name?: string;
  options: Record<string, unknown>;
  body?: RecordSet;
}

/** Record sets of one resource group; `beforeNext` runs once before the next call (another writer, a failure). */
class FakeRecordSets {
  readonly sets = new Map<string, RecordSet>();
  readonly calls: Call[] = [];
  private etags = 0;
  private interceptors: ((call: Call) => void)[] = [];

  seed(name: string, set: RecordSet): void {
    this.sets.set(name, { ...set, name, etag: `e${++this.etags}` });
  }
  beforeNext(...steps: ((call: Call) => void)[]): void {
    this.interceptors.push(...steps);
  }
  private enter(call: Call): void {
    this.calls.push(call);
    this.interceptors.shift()?.(call);
  }

  createOrUpdate(
    rg: string,
    zone: string,
    type: string,
    name: string,
    body: RecordSet,
    options: Record<string, unknown>,
  ) {
    expect([rg, zone, type]).toEqual(["rg-dns", ZONE, "A"]);
    this.enter({ op: "put", name, options, body });
    const existing = this.sets.get(name);
    if (options.ifNoneMatch === "*" && existing) throw httpError(412);
    if (options.ifMatch !== undefined && existing?.etag !== options.ifMatch) throw httpError(412);
    this.seed(name, body);
    return Promise.resolve(this.sets.get(name));
  }
  get(rg: string, zone: string, type: string, name: string, options: Record<string, unknown>) {
    this.enter({ op: "get", name, options });
    const existing = this.sets.get(name);
    return existing ? Promise.resolve(structuredClone(existing)) : Promise.reject(httpError(404));
  }
  delete(rg: string, zone: string, type: string, name: string, options: Record<string, unknown>) {
    this.enter({ op: "delete", name, options });
    const existing = this.sets.get(name);
    if (!existing) return Promise.reject(httpError(404));
    if (options.ifMatch !== undefined && existing.etag !== options.ifMatch) return Promise.reject(httpError(412));
    this.sets.delete(name);
    return Promise.resolve();
  }
  async *listByType(rg: string, zone: string, type: string, options: Record<string, unknown>) {
    this.enter({ op: "list", options });
    for (const set of this.sets.values()) yield set;
  }
}

function registrar(zones: { name?: string }[] = []) {
  const recordSets = new FakeRecordSets();
  const subscriptions: string[] = [];
  const privateZones = {
    async *listByResourceGroup(rg: string) {
      expect(rg).toBe("rg-dns");
      await Promise.resolve();
      for (const z of zones) {
        if (z.name === "boom") throw httpError(403);
        yield z;
      }
    },
  };
  const client = (subscriptionId: string) => {
    subscriptions.push(subscriptionId);
    return { recordSets, privateZones } as unknown as PrivateDnsManagementClient;
  };
  return { dns: new ArmDnsRegistrar(client, ZONES_RG), recordSets, subscriptions };
}

const spec = (...ipAddresses: string[]) => ({ zone: ZONE, name: "pg-1", ipAddresses });

describe("ArmDnsRegistrar.ensureARecord", () => {
  it("creates with If-None-Match: * in the zones' subscription: TTL 10, the addresses and our owner metadata", async () => {
    const { dns, recordSets, subscriptions } = registrar();
    expect(await dns.ensureARecord(spec("10.0.0.5", "10.0.0.4"), owner)).toEqual({
      outcome: "created",
      zone: ZONE,
      name: "pg-1",
    });
    expect(subscriptions).toEqual(["00000000-0000-0000-0000-0000000000d1"]);
    const [put] = recordSets.calls;
    expect(put?.options).toMatchObject({ ifNoneMatch: "*" });
    expect(put?.options.abortSignal).toBeInstanceOf(AbortSignal);
    expect(put?.body).toEqual({
      ttl: 10,
      aRecords: [{ ipv4Address: "10.0.0.5" }, { ipv4Address: "10.0.0.4" }],
      metadata: mineMeta,
    });
  });

  it("leaves our own record with the same addresses alone, in any order", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", {
      aRecords: [{ ipv4Address: "10.0.0.5" }, { ipv4Address: "10.0.0.4" }],
      metadata: mineMeta,
    });
    expect(await dns.ensureARecord(spec("10.0.0.4", "10.0.0.5"), owner)).toMatchObject({ outcome: "already-ours" });
    const other = registrar();
    other.recordSets.seed("pg-1", {
      aRecords: [{ ipv4Address: "10.0.0.4" }, { ipv4Address: "10.0.0.5" }],
      metadata: mineMeta,
    });
    expect(await other.dns.ensureARecord(spec("10.0.0.5", "10.0.0.4"), owner)).toMatchObject({
      outcome: "already-ours",
    });
    expect([...recordSets.calls, ...other.recordSets.calls].map((c) => c.op)).toEqual(["put", "get", "put", "get"]);
  });

  it("brings our own record up to date with If-Match on the ETag it read", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.9" }], metadata: mineMeta });
    const etag = recordSets.sets.get("pg-1")?.etag;
    expect(await dns.ensureARecord(spec("10.0.0.4"), owner)).toEqual({
      outcome: "already-ours",
      zone: ZONE,
      name: "pg-1",
    });
    const update = recordSets.calls[2];
    expect(update).toMatchObject({ op: "put", options: { ifMatch: etag } });
    expect(update?.options).not.toHaveProperty("ifNoneMatch");
    expect(recordSets.sets.get("pg-1")?.aRecords).toEqual([{ ipv4Address: "10.0.0.4" }]);
  });

  it("updates without If-Match only when the record came back without an ETag", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { aRecords: [{}], metadata: mineMeta });
    recordSets.beforeNext(
      () => undefined,
      () => delete recordSets.sets.get("pg-1")?.etag,
    );
    expect(await dns.ensureARecord(spec("10.0.0.4"), owner)).toMatchObject({ outcome: "already-ours" });
    expect(recordSets.calls[2]?.options).not.toHaveProperty("ifMatch");
  });

  it("never touches a record of another endpoint or of a person, and says whose it is", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.4" }], metadata: { plaEndpoint: encodeKey(OTHER) } });
    const theirs = await dns.ensureARecord(spec("10.0.0.4"), owner);
    expect(theirs).toEqual({
      outcome: "conflict",
      zone: ZONE,
      name: "pg-1",
      detail: `The name is registered for another private endpoint (${OTHER.toLowerCase()}); it was left as it is.`,
    });
    recordSets.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.4" }] });
    expect(await dns.ensureARecord(spec("10.0.0.4"), owner)).toMatchObject({
      outcome: "conflict",
      detail: "The name exists and was not written by the autopilot; it was left as it is.",
    });
    recordSets.seed("pg-1", { metadata: { plaEndpoint: "%%not-a-key" } });
    expect(await dns.ensureARecord(spec("10.0.0.4"), owner)).toMatchObject({
      detail: expect.stringContaining("(%%not-a-key)") as unknown,
    });
    expect(recordSets.calls.filter((c) => c.op === "put")).toHaveLength(3); // only the refused creates
  });

  it("creates again when the record vanished between the refused create and the read", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { metadata: mineMeta });
    recordSets.beforeNext(
      () => undefined,
      () => recordSets.sets.delete("pg-1"),
    );
    expect(await dns.ensureARecord(spec("10.0.0.4"), owner)).toMatchObject({ outcome: "created" });
    expect(recordSets.calls.map((c) => c.op)).toEqual(["put", "get", "put"]);
  });

  it("retries a lost ETag race and gives up after three, as a transient failure", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.9" }], metadata: mineMeta });
    const anotherWriter = (call: Call) => {
      if (call.op === "put" && call.options.ifMatch) recordSets.seed("pg-1", { ...recordSets.sets.get("pg-1") });
    };
    recordSets.beforeNext(...Array.from({ length: 9 }, () => anotherWriter));
    const lost = await dns.ensureARecord(spec("10.0.0.4"), owner).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(TransientError);
    expect((lost as TransientError).message).toBe(
      `ARM did not complete writing A pg-1.${ZONE} (lost ETag races) (503); it will be retried.`,
    );
    expect(recordSets.calls.map((c) => c.op)).toEqual(["put", "get", "put", "put", "get", "put", "put", "get", "put"]);

    const { dns: second, recordSets: sets2 } = registrar();
    sets2.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.9" }], metadata: mineMeta });
    sets2.beforeNext(
      () => undefined,
      () => undefined,
      (c) => c.op === "put" && sets2.seed("pg-1", { ...sets2.sets.get("pg-1") }),
    );
    expect(await second.ensureARecord(spec("10.0.0.4"), owner)).toMatchObject({ outcome: "already-ours" });
  });

  it.each([
    ["put", 0, `creating A pg-1.${ZONE}`],
    ["get", 1, `reading A pg-1.${ZONE}`],
    ["put", 2, `updating A pg-1.${ZONE}`],
  ])("a refusal on %s (call %i) is a port error naming %s", async (_, at, what) => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.9" }], metadata: mineMeta });
    const steps: ((call: Call) => void)[] = [() => undefined, () => undefined, () => undefined];
    steps[at] = () => {
      throw httpError(403);
    };
    if (at === 0) recordSets.sets.clear();
    recordSets.beforeNext(...steps);
    const e = (await dns.ensureARecord(spec("10.0.0.4"), owner).catch((x: unknown) => x)) as PermanentError;
    expect(e).toBeInstanceOf(PermanentError);
    expect(e.code).toBe("ARM_FORBIDDEN");
    expect(e.message).toContain(what);
  });
});

describe("ArmDnsRegistrar.removeARecord", () => {
  it("deletes our record with If-Match on the ETag it read", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { metadata: mineMeta });
    const etag = recordSets.sets.get("pg-1")?.etag;
    expect(await dns.removeARecord(ZONE, "pg-1", ENDPOINT)).toEqual({ outcome: "removed", zone: ZONE, name: "pg-1" });
    expect(recordSets.calls[1]).toMatchObject({ op: "delete", options: { ifMatch: etag } });
    expect(recordSets.sets.has("pg-1")).toBe(false);
  });

  it("answers absent for a missing record and keeps another's", async () => {
    const { dns, recordSets } = registrar();
    expect(await dns.removeARecord(ZONE, "pg-1", ENDPOINT)).toEqual({ outcome: "absent", zone: ZONE, name: "pg-1" });
    recordSets.seed("pg-1", { metadata: { plaEndpoint: encodeKey(OTHER) } });
    expect(await dns.removeARecord(ZONE, "pg-1", ENDPOINT)).toEqual({
      outcome: "not-ours",
      zone: ZONE,
      name: "pg-1",
      detail: "The record belongs to another endpoint or to a person; it was kept.",
    });
    expect(recordSets.sets.has("pg-1")).toBe(true);
  });

  it("reads again after a lost race; three lost races are transient; other refusals are port errors", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { metadata: mineMeta });
    const bump = (c: Call) => c.op === "delete" && recordSets.seed("pg-1", { ...recordSets.sets.get("pg-1") });
    recordSets.beforeNext(() => undefined, bump);
    expect(await dns.removeARecord(ZONE, "pg-1", ENDPOINT)).toMatchObject({ outcome: "removed" });
    expect(recordSets.calls.map((c) => c.op)).toEqual(["get", "delete", "get", "delete"]);

    recordSets.seed("pg-1", { metadata: mineMeta });
    recordSets.calls.length = 0;
    recordSets.beforeNext(...Array.from({ length: 6 }, () => bump));
    const lost = (await dns.removeARecord(ZONE, "pg-1", ENDPOINT).catch((e: unknown) => e)) as TransientError;
    expect(lost).toBeInstanceOf(TransientError);
    expect(lost.message).toBe(
      `ARM did not complete deleting A pg-1.${ZONE} (lost ETag races) (503); it will be retried.`,
    );
    expect(recordSets.calls).toHaveLength(6);

    recordSets.beforeNext(() => {
      throw httpError(403);
    });
    await expect(dns.removeARecord(ZONE, "pg-1", ENDPOINT)).rejects.toMatchObject({
      code: "ARM_FORBIDDEN",
      message: expect.stringContaining(`reading A pg-1.${ZONE}`),
    });
    recordSets.beforeNext(
      () => undefined,
      () => {
        throw httpError(403);
      },
    );
    await expect(dns.removeARecord(ZONE, "pg-1", ENDPOINT)).rejects.toMatchObject({
      message: expect.stringContaining(`deleting A pg-1.${ZONE}`),
    });
  });

  it("keeps a record that carries no metadata at all", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { aRecords: [{ ipv4Address: "10.0.0.4" }] });
    expect(await dns.removeARecord(ZONE, "pg-1", ENDPOINT)).toMatchObject({ outcome: "not-ours" });
    expect(recordSets.sets.has("pg-1")).toBe(true);
  });

  it("deletes without If-Match only when the record came back without an ETag", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("pg-1", { metadata: mineMeta });
    recordSets.beforeNext(() => delete recordSets.sets.get("pg-1")?.etag);
    expect(await dns.removeARecord(ZONE, "pg-1", ENDPOINT)).toMatchObject({ outcome: "removed" });
    expect(recordSets.calls[1]?.options).not.toHaveProperty("ifMatch");
  });
});

describe("ArmDnsRegistrar listing and removal of listed records", () => {
  it("lists zone names, skipping nameless ones; a refusal is a port error", async () => {
    expect(await registrar([{ name: "a.zone" }, {}, { name: "b.zone" }]).dns.listZones()).toEqual(["a.zone", "b.zone"]);
    await expect(registrar([{ name: "boom" }]).dns.listZones()).rejects.toMatchObject({
      code: "ARM_FORBIDDEN",
      message: expect.stringContaining("listing the private DNS zones of rg-dns"),
    });
  });

  it("lists A records with addresses, ETag and owner (only with both owner keys), at most `max`", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("a", { aRecords: [{ ipv4Address: "10.0.0.4" }, {}], metadata: mineMeta });
    recordSets.seed("b", { metadata: { plaEndpoint: encodeKey(ENDPOINT) } });
    recordSets.sets.set("nameless", { etag: "x" });
    recordSets.seed("c", {});
    const listed = await dns.listARecords(ZONE, 10);
    expect(listed).toEqual([
      {
        zone: ZONE,
        name: "a",
        ipAddresses: ["10.0.0.4"],
        etag: recordSets.sets.get("a")?.etag,
        owner: { privateEndpointId: ENDPOINT.toLowerCase(), connectionId: CONNECTION.toLowerCase() },
      },
      { zone: ZONE, name: "b", ipAddresses: [], etag: recordSets.sets.get("b")?.etag },
      { zone: ZONE, name: "c", ipAddresses: [], etag: recordSets.sets.get("c")?.etag },
    ]);
    expect(recordSets.calls[0]?.options).toMatchObject({ top: 10 });
    expect((await dns.listARecords(ZONE, 2)).map((r) => r.name)).toEqual(["a", "b"]);
    expect(recordSets.calls[1]?.options).toMatchObject({ top: 2 });
    await dns.listARecords(ZONE, 0);
    await dns.listARecords(ZONE, 500);
    expect(recordSets.calls.slice(2).map((c) => c.options.top)).toEqual([1, 100]);
    delete recordSets.sets.get("a")?.etag;
    expect((await dns.listARecords(ZONE, 1))[0]).not.toHaveProperty("etag");
  });

  it("a refused listing is a port error naming the zone", async () => {
    const { dns, recordSets } = registrar();
    recordSets.beforeNext(() => {
      throw httpError(403);
    });
    await expect(dns.listARecords(ZONE, 5)).rejects.toMatchObject({
      code: "ARM_FORBIDDEN",
      message: expect.stringContaining(`listing the A records of ${ZONE}`),
    });
  });

  it("removes a listed record only with our metadata and its ETag, and reports races", async () => {
    const { dns, recordSets } = registrar();
    recordSets.seed("a", { metadata: mineMeta });
    const [listed] = await dns.listARecords(ZONE, 1);
    if (!listed) throw new Error("listed nothing");
    const kept = {
      outcome: "not-ours",
      zone: ZONE,
      name: "a",
      detail: "The record has no autopilot metadata or ETag; it was kept.",
    };
    expect(await dns.removeListedARecord({ ...listed, owner: undefined })).toEqual(kept);
    expect(await dns.removeListedARecord({ ...listed, etag: undefined })).toEqual(kept);
    expect(await dns.removeListedARecord({ ...listed, etag: "stale" })).toEqual({
      outcome: "changed",
      zone: ZONE,
      name: "a",
    });
    expect(await dns.removeListedARecord(listed)).toEqual({ outcome: "removed", zone: ZONE, name: "a" });
    expect(recordSets.calls.at(-1)?.options).toMatchObject({ ifMatch: listed.etag });
    expect(await dns.removeListedARecord(listed)).toEqual({ outcome: "absent", zone: ZONE, name: "a" });
    recordSets.beforeNext(() => {
      throw httpError(500);
    });
    await expect(dns.removeListedARecord(listed)).rejects.toThrow(`deleting A a.${ZONE}`);
  });

  it("refuses a zones scope that is not a resource group", () => {
    expect(
      () =>
        new ArmDnsRegistrar(
          () => ({}) as PrivateDnsManagementClient,
          "/subscriptions/00000000-0000-0000-0000-0000000000d1",
        ),
    ).toThrow("DNS_ZONES_RESOURCE_GROUP_ID must name a resource group.");
  });
});
