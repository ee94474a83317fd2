import { odata as sdkOdata } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { odata } from "../../../src/adapters/tables/table-bookkeeping";

/** Our filter builder (kept so the SDK loads lazily) must quote exactly as the SDK's `odata` template does. */
describe("OData filter quoting", () => {
  it.each(["plain", "x' or PartitionKey ne '", "''", "' or 1 eq 1 or '", "tenant-é-\u0000", "a'b'c"])(
    "quotes %j as @azure/data-tables does",
    (value) => {
      expect(odata`PartitionKey eq ${value} and RowKey gt ${value}`).toBe(
        sdkOdata`PartitionKey eq ${value} and RowKey gt ${value}`,
      );
    },
  );
});
