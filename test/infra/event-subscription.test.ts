import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HANDLED_EVENT_TYPES, HANDLED_OPERATION_NAMES } from "../../src/domain/intake";
import {
  INFRA,
  ROOT,
  loadInfra,
  loadedJsonPaths,
  property,
  resources,
  stringLiteral,
  type BicepFile,
  type ResourceDeclaration,
} from "./bicep-source";

interface FilterData {
  functionName: string;
  eventSubscriptionName: string;
  includedEventTypes: string[];
  operationNames: string[];
}

const filter = JSON.parse(readFileSync(join(INFRA, "events/resource-events-filter.json"), "utf8")) as FilterData;

/**
 * Handled event types a Microsoft.Resources.Subscriptions system topic cannot deliver, each with the reason.
 * Event Grid rejects an event subscription that names an event type its topic type does not publish.
 */
const NOT_FROM_SUBSCRIPTION_TOPICS: Record<string, string> = {
  "Microsoft.ResourceNotifications.Resources.CreatedOrUpdated":
    "published by Microsoft.ResourceNotifications.Resources system topics, not deployed yet; the sweep covers that path",
};

let files: BicepFile[] = [];
let eventSubscription: ResourceDeclaration;

beforeAll(async () => {
  files = await loadInfra();
  const found = files.flatMap(resources).find((r) => r.type === "Microsoft.EventGrid/systemTopics/eventSubscriptions");
  if (!found) throw new Error("no Microsoft.EventGrid/systemTopics/eventSubscriptions resource in infra/");
  eventSubscription = found;
});

describe("Event Grid filter data (infra/events/resource-events-filter.json) vs src/domain/intake.ts", () => {
  it("subscribes to every handled event type a subscription topic publishes, and nothing else", () => {
    const deliverable = HANDLED_EVENT_TYPES.filter((t) => !(t in NOT_FROM_SUBSCRIPTION_TOPICS));
    expect([...filter.includedEventTypes].sort()).toEqual([...deliverable].sort());
    for (const t of Object.keys(NOT_FROM_SUBSCRIPTION_TOPICS)) expect(HANDLED_EVENT_TYPES).toContain(t);
  });

  it("filters data.operationName on exactly the handled operations", () => {
    expect([...filter.operationNames].sort()).toEqual([...HANDLED_OPERATION_NAMES].sort());
  });

  it("stays inside Event Grid's limit of 25 advanced-filter values", () => {
    expect(filter.operationNames.length).toBeLessThanOrEqual(25);
  });

  it("targets a function the app registers", () => {
    expect(filter.functionName).toBe("resource-events");
    const dir = join(ROOT, "functions");
    const sources = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".ts"))
          .map((f) => readFileSync(join(dir, f), "utf8"))
      : [];
    if (sources.length === 0) return; // functions/ is written in parallel; the name above is the contract.
    expect(sources.some((s) => s.includes(`"${filter.functionName}"`) || s.includes(`'${filter.functionName}'`))).toBe(
      true,
    );
  });
});

describe("event subscription template (infra/app/event-subscription.bicep)", () => {
  const props = () => property(eventSubscription.body, "properties");

  it("loads the shared filter data", () => {
    const file = files.find((f) => f.path === eventSubscription.file)!;
    expect(loadedJsonPaths(file)).toEqual(["../events/resource-events-filter.json"]);
  });

  it("delivers to the function as an AzureFunction destination", () => {
    const destination = property(props(), "destination");
    expect(stringLiteral(property(destination, "endpointType"))).toBe("AzureFunction");
    expect(property(property(destination, "properties"), "resourceId")?.text).toBe(
      "'${functionAppId}/functions/${filterData.functionName}'",
    );
  });

  it("filters on the event types and a StringIn on data.operationName", () => {
    const f = property(props(), "filter");
    expect(property(f, "includedEventTypes")?.text).toBe("filterData.includedEventTypes");
    const advanced = property(f, "advancedFilters");
    const only = advanced?.namedChildren.filter((n) => n.type === "object") ?? [];
    expect(only).toHaveLength(1);
    expect(stringLiteral(property(only[0], "operatorType"))).toBe("StringIn");
    expect(stringLiteral(property(only[0], "key"))).toBe("data.operationName");
    expect(property(only[0], "values")?.text).toBe("filterData.operationNames");
  });

  it("retries and dead-letters to blob storage with the topic's own identity", () => {
    const retry = property(props(), "retryPolicy");
    expect(property(retry, "maxDeliveryAttempts")).toBeDefined();
    expect(property(retry, "eventTimeToLiveInMinutes")).toBeDefined();
    expect(property(props(), "deadLetterDestination")).toBeUndefined();
    const deadLetter = property(props(), "deadLetterWithResourceIdentity");
    expect(stringLiteral(property(property(deadLetter, "identity"), "type"))).toBe("SystemAssigned");
    const destination = property(deadLetter, "deadLetterDestination");
    expect(stringLiteral(property(destination, "endpointType"))).toBe("StorageBlob");
  });

  it("creates one system topic of the subscription type, with an identity", () => {
    const topics = files.flatMap(resources).filter((r) => r.type === "Microsoft.EventGrid/systemTopics" && !r.existing);
    expect(topics).toHaveLength(1);
    const topic = topics[0]!;
    expect(stringLiteral(property(property(topic.body, "properties"), "topicType"))).toBe(
      "Microsoft.Resources.Subscriptions",
    );
    expect(stringLiteral(property(property(topic.body, "identity"), "type"))).toBe("SystemAssigned");
  });
});
