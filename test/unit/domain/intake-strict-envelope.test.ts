import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEventGridPayload } from "../../../src/domain/intake";

/** The domain's intake beside the SDK's strict Event Grid deserializer: as strict where it matters, more lenient where real payloads differ. */
const dir = path.join(__dirname, "..", "..", "fixtures", "events");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".json") && !f.includes("cloudevents"));
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(dir, file), "utf8"));
const deserializer = new EventGridDeserializer();

describe("intake and the strict Event Grid deserializer", () => {
  it.each(fixtures)("%s: every event the SDK accepts yields exactly one signal", async (file) => {
    const strict = await deserializer.deserializeEventGridEvents(read(file) as Record<string, unknown>);
    const signals = parseEventGridPayload(read(file));
    expect(signals).toHaveLength(strict.length);
  });

  it("agrees with the SDK's type guard on which events are resource writes", async () => {
    const strict = await deserializer.deserializeEventGridEvents(
      read("consumer-pe-write.real.json") as Record<string, unknown>,
    );
    expect(isSystemEvent("Microsoft.Resources.ResourceWriteSuccess", strict[0]!)).toBe(true);
    expect(parseEventGridPayload(read("consumer-pe-write.real.json"))[0]?.kind).toBe("private-endpoint-written");
  });

  it("accepts what publishers send without metadataVersion and topic, which the strict deserializer refuses", async () => {
    const event = read("consumer-pe-write.real.json") as Record<string, unknown>;
    delete event.metadataVersion;
    delete event.topic;
    await expect(deserializer.deserializeEventGridEvents(event)).rejects.toThrow();

    const [signal] = parseEventGridPayload(event);

    expect(signal?.kind).toBe("private-endpoint-written");
  });
});
