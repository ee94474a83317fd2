import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cleanupInstanceId, endpointIntakeInstanceId, reviewInstanceId } from "../../../src/app/instance-ids";

const CONNECTION =
  "/subscriptions/3f1c9a4e-5b7d-4e2a-9c61-0d8e7f6a5b41/resourceGroups/rg-provider/providers/Microsoft.Network/privateLinkServices/pls-orders/privateEndpointConnections/pe-orders.1b2c3d4e";
const ENDPOINT =
  "/subscriptions/a1a1a1a1-0000-4000-8000-00000000c001/resourceGroups/rg-contoso/providers/Microsoft.Network/privateEndpoints/pe-contoso-db";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("durable instance ids", () => {
  it("are the first 40 hex digits of the SHA-256 of the lower-cased id, behind the orchestration's prefix", () => {
    const digest = sha256(CONNECTION.toLowerCase()).slice(0, 40);
    expect(reviewInstanceId(CONNECTION)).toBe(`review-${digest}`);
    expect(cleanupInstanceId(CONNECTION)).toBe(`cleanup-${digest}`);
    expect(endpointIntakeInstanceId(ENDPOINT, "evt-1")).toBe(
      `intake-${sha256(`${ENDPOINT.toLowerCase()}|evt-1`).slice(0, 40)}`,
    );
  });

  it("never change between releases: running orchestrations are found by them", () => {
    expect(reviewInstanceId(CONNECTION)).toBe("review-a104eb75b58927e39cfa42565e340d66c2ddb717");
    expect(endpointIntakeInstanceId(ENDPOINT, "evt-1")).toBe("intake-955d744c6098c01b358d1d2d620e85ed38126b14");
  });

  it("collapse spellings of one id and tell different ids, endpoints and events apart", () => {
    const spelled = CONNECTION.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/") + "/";
    expect(reviewInstanceId(spelled)).toBe(reviewInstanceId(CONNECTION));
    expect(reviewInstanceId(`${CONNECTION}x`)).not.toBe(reviewInstanceId(CONNECTION));
    expect(endpointIntakeInstanceId(ENDPOINT, "evt-2")).not.toBe(endpointIntakeInstanceId(ENDPOINT, "evt-1"));
    expect(
      endpointIntakeInstanceId(ENDPOINT.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/"), "evt-1"),
    ).toBe(endpointIntakeInstanceId(ENDPOINT, "evt-1"));
  });
});
