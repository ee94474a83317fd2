import { describe, expect, it } from "vitest";
import { evaluate, parseQuery, QueryError } from "../../../sandbox/arm/resource-graph-query";

const rows = [
  {
    id: "/s/1/rg/a/providers/Microsoft.Network/privateLinkServices/pls",
    type: "microsoft.network/privatelinkservices",
    name: "pls",
    properties: { privateEndpointConnections: [{ id: "c1" }, { id: "c2" }] },
  },
  {
    id: "/s/1/rg/a/providers/Microsoft.Storage/storageAccounts/st",
    type: "microsoft.storage/storageaccounts",
    name: "st-prod",
    properties: { privateEndpointConnections: [] },
  },
  { id: "/s/1/rg/a/providers/Microsoft.Compute/disks/d", type: "microsoft.compute/disks", name: "d", properties: {} },
];

const run = (q: string) => evaluate(parseQuery(q), rows);

describe("the sandbox's Resource Graph query subset", () => {
  it("filters with in~, =~, ==, has, and/or and parentheses", () => {
    expect(run("resources | where type in~ ('Microsoft.Storage/storageAccounts', 'x')").map((r) => r.name)).toEqual([
      "st-prod",
    ]);
    expect(run("resources | where name =~ 'PLS'")).toHaveLength(1);
    expect(run("resources | where name == 'PLS'")).toHaveLength(0);
    expect(run("resources | where name has 'prod'")).toHaveLength(1);
    expect(run("resources | where name has 'pro'")).toHaveLength(0);
    expect(run("resources | where (name == 'd' or name == 'pls') and type !~ 'microsoft.compute/disks'")).toHaveLength(
      1,
    );
  });

  it("expands arrays (an empty or missing one gives no row) and projects columns", () => {
    const out = run(
      "resources | mv-expand connection = properties.privateEndpointConnections | project id, connectionId = connection.id",
    );
    expect(out).toEqual([
      { id: rows[0]!.id, connectionId: "c1" },
      { id: rows[0]!.id, connectionId: "c2" },
    ]);
  });

  it("refuses what it does not understand, saying where", () => {
    expect(() => parseQuery("resources | summarize count() by type")).toThrow(QueryError);
    expect(() => parseQuery("resources | where name startswith 'x'")).toThrow(/Unexpected 'startswith'/);
    expect(() => parseQuery("resources | where name == 'x")).toThrow(/Unterminated/);
  });
});
