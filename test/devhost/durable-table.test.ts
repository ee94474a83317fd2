import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, spawnDevhost } from "../../devhost";
import type { InstanceState } from "../../devhost/durable/instance-state";
import { GroupCommit } from "../../devhost/durable/group-commit";
import { keyFor, tableNameForHub, TableStore } from "../../devhost/durable/store-table";
import { startAzuriteTables, type AzuriteTables } from "../support/azurite";
import { call, durable, type DurableCaller, SAMPLE_APP, SAMPLE_SETTINGS, startSampleHost, T0, until } from "./support";

let azurite: AzuriteTables;
beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  await azurite?.stop();
});

function bigState(instanceId: string, payload: string): InstanceState {
  return {
    instanceId,
    name: "orchestrator",
    executionId: 1,
    status: "Running",
    inputText: JSON.stringify(payload),
    output: null,
    customStatus: { note: "ünïcødé ✓" },
    createdTime: new Date(T0).toISOString(),
    lastUpdatedTime: new Date(T0).toISOString(),
    history: [
      {
        EventType: 0,
        EventId: -1,
        IsPlayed: true,
        Timestamp: new Date(T0).toISOString(),
        Input: JSON.stringify(payload),
      },
    ],
    inbox: [],
    nextId: 0,
    slots: [],
    activities: [],
    timers: [],
  };
}

describe("TableStore (Azurite)", () => {
  it("derives a valid table name from the hub and safe keys from any instance id", () => {
    expect(tableNameForHub("my-hub_1")).toBe("myhub1Instances");
    expect(tableNameForHub("1hub")).toBe("h1hubInstances");
    expect(keyFor("a/b\\c#d?e")).not.toMatch(/[/\\#?]/);
  });

  it("chunks large state into rows within Table limits, replaces generations, and removes", async () => {
    const store = await TableStore.open(azurite.connectionString, "ChunkHub");
    const id = "a/b\\c#d?e ✓";
    const payload = "é".repeat(300_000) + "end";
    await store.save(bigState(id, payload));
    const loaded = await store.load(id);
    expect(loaded).toEqual(bigState(id, payload));

    const client = TableClient.fromConnectionString(azurite.connectionString, "ChunkHubInstances", {
      allowInsecureConnection: true,
    });
    const rowsOf = async (instanceId: string): Promise<Record<string, unknown>[]> => {
      const key = keyFor(instanceId);
      const rows: Record<string, unknown>[] = [];
      for await (const row of client.listEntities()) {
        if (row.rowKey === key || String(row.rowKey).startsWith(`${key}~`)) rows.push(row);
      }
      return rows;
    };
    const rows = await rowsOf(id);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      for (const [k, v] of Object.entries(row))
        if (typeof v === "string" && k.startsWith("d")) expect(v.length).toBeLessThanOrEqual(32_768);
    }

    await store.save(bigState(id, "small"));
    expect((await store.load(id))?.inputText).toBe('"small"');
    // Small state lives in the head row itself: the old generation's chunks are gone.
    expect(await rowsOf(id)).toHaveLength(1);

    // A fresh store (another process) reads the same state.
    const other = await TableStore.open(azurite.connectionString, "ChunkHub");
    expect((await other.list()).map((s) => s.instanceId)).toContain(id);
    expect(await other.remove(id)).toBe(true);
    expect(await store.load(id)).toBeUndefined();
    expect(await rowsOf(id)).toHaveLength(0);
  });

  it("removes one instance's rows only, even when another's key starts with its key", async () => {
    const store = await TableStore.open(azurite.connectionString, "PrefixHub");
    const [id, neighbour] = ["abc", "abcdef"];
    expect(keyFor(neighbour).startsWith(keyFor(id))).toBe(true);
    const payload = "z".repeat(200_000); // chunk rows for both
    await store.save(bigState(id, payload));
    await store.save(bigState(neighbour, payload));
    expect(await store.remove(id)).toBe(true);
    expect(await store.load(id)).toBeUndefined();
    expect((await store.load(neighbour))?.inputText).toBe(JSON.stringify(payload));
    expect(await store.remove(id)).toBe(false);
  });
});

describe("GroupCommit (Azurite)", () => {
  const counting = (client: TableClient) => {
    const calls = { single: 0, transactions: 0 };
    return {
      calls,
      client: {
        upsertEntity: (...args: Parameters<TableClient["upsertEntity"]>) => {
          calls.single++;
          return client.upsertEntity(...args);
        },
        submitTransaction: (...args: Parameters<TableClient["submitTransaction"]>) => {
          calls.transactions++;
          return client.submitTransaction(...args);
        },
      },
    };
  };
  const table = async (name: string) => {
    const client = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    await client.createTable();
    return client;
  };

  it("writes rows that arrive while a write is in flight together, and each caller's row is stored", async () => {
    const client = await table("GroupWrites");
    const { calls, client: meter } = counting(client);
    const writer = new GroupCommit(meter);
    await Promise.all(Array.from({ length: 50 }, (_, n) => writer.upsert({ partitionKey: "p", rowKey: `r${n}`, n })));
    const stored: number[] = [];
    for await (const row of client.listEntities<{ n: number }>()) stored.push(row.n);
    expect(stored.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    // The first row goes alone; the 49 that waited for it share one transaction.
    expect(calls).toEqual({ single: 1, transactions: 1 });
  });

  it("a row the service refuses fails its own caller only, and the newest version of a row wins", async () => {
    const client = await table("GroupRefusal");
    const writer = new GroupCommit(client);
    const outcomes = await Promise.allSettled([
      writer.upsert({ partitionKey: "p", rowKey: "first", v: 1 }),
      writer.upsert({ partitionKey: "p", rowKey: "a", v: 1 }),
      writer.upsert({ partitionKey: "p", rowKey: "b", v: "x".repeat(40_000) }), // over 64 KiB in one property
      writer.upsert({ partitionKey: "p", rowKey: "a", v: 2 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((await client.getEntity<{ v: number }>("p", "a")).v).toBe(2);
  });
});

describe("devhost on Table Storage", () => {
  it("resumes a waiting instance after a stop and a new start in-process, with large payloads", async () => {
    const clock = new ManualClock(T0);
    const settings = { ...SAMPLE_SETTINGS, SAMPLE_HUB: "RestartHub" };
    const storage = { tableConnectionString: azurite.connectionString };
    // Both starts share hub, storage and clock: the second must find what the first left.
    const startHost = () => startSampleHost({ settings, storage, clock, schedule: false });
    const first = await startHost();
    const name = "x".repeat(150_000);
    await durable(first, `orchestrators/greeter/big`, { method: "POST", body: JSON.stringify(name) });
    expect((await first.waitForInstance("big")).output).toBe(`Hello ${name}`);
    await durable(first, `orchestrators/sleeper/nap`, {
      method: "POST",
      body: JSON.stringify({ ms: 3_600_000 }),
    });
    await first.whenIdle();
    await first.stop();

    const second = await startHost();
    try {
      expect((await second.getInstance("nap"))?.runtimeStatus).toBe("Running");
      await second.advanceTime(3_600_000);
      expect(await second.waitForInstance("nap")).toMatchObject({
        runtimeStatus: "Completed",
        output: { woke: new Date(T0 + 3_600_000).toISOString() },
      });
      expect((await second.getInstance("big"))?.output).toBe(`Hello ${name}`);
    } finally {
      await second.stop();
    }
  });

  it("survives SIGKILL mid-orchestration: the pending activity runs again and the pending timer fires", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "devhost-crash-"));
    const first = await spawnDevhost({
      appRoot: SAMPLE_APP,
      settings: { ...SAMPLE_SETTINGS, SAMPLE_HUB: "CrashHub" },
      tableConnectionString: azurite.connectionString,
      manualClockStart: T0,
      schedule: false,
    });
    let second: Awaited<ReturnType<typeof spawnDevhost>> | undefined;
    try {
      const started = await call(`${first.url}/api/orchestrators/crashFlow/crash-1`, {
        method: "POST",
        body: JSON.stringify({ dir }),
      });
      expect(started.status).toBe(202);
      await until(async () => (existsSync(path.join(dir, "started")) ? true : undefined), "the activity to start");
      const status = (h: DurableCaller) => durable(h, "instances/crash-1");
      expect((await status(first)).json.runtimeStatus).toBe("Running");

      await first.kill("SIGKILL");
      writeFileSync(path.join(dir, "gate"), "");
      second = await first.restart();
      expect(second.output()).toContain("Resumed 1 durable instance");
      // The activity reran (at least once); the timer is still pending until the clock passes it.
      await until(
        async () => (readFileSync(path.join(dir, "started"), "utf8") === "xx" ? true : undefined),
        "the activity to run again",
      );
      expect((await status(second)).json.runtimeStatus).toBe("Running");
      const advanced = await call(`${second.url}/admin/devhost/advance-time`, {
        method: "POST",
        headers: { "x-functions-key": second.keys.master },
        json: { ms: 3_600_000 },
      });
      expect(advanced.status).toBe(204);
      const done = await until(async () => {
        const s = (await status(second!)).json;
        return s.runtimeStatus === "Running" ? undefined : s;
      }, "the orchestration to finish");
      expect(done).toMatchObject({ runtimeStatus: "Completed", output: { gateResult: "gate passed", doubled: 42 } });
    } finally {
      await first.kill("SIGKILL");
      await second?.kill("SIGKILL");
    }
  });

  it("runs every activity twice when asked (idempotency testing)", async () => {
    const child = await spawnDevhost({
      appRoot: SAMPLE_APP,
      settings: { ...SAMPLE_SETTINGS, SAMPLE_HUB: "TwiceHub" },
      runActivitiesTwice: true,
      schedule: false,
    });
    try {
      await durable(child, `orchestrators/threeStep/twice`, { method: "POST", body: "1" });
      const s = await until(async () => {
        const r = (await durable(child, `instances/twice`)).json;
        return r.runtimeStatus === "Completed" ? r : undefined;
      }, "completion");
      expect(s.output).toBe(8);
      expect((await call(`${child.url}/api/observed`)).json.calls.double).toBe(6);
    } finally {
      await child.kill();
    }
  });
});
