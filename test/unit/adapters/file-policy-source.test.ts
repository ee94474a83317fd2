import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FilePolicySource } from "../../../src/adapters/policy/file-policy-source";

const SHIPPED = readFileSync(path.join(__dirname, "..", "..", "..", "policy", "default-policy.yaml"), "utf8");

describe("FilePolicySource", () => {
  it("parses the file again only when its text changed, and an edit applies at the next load", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "policy-source-"));
    writeFileSync(path.join(root, "policy.yaml"), SHIPPED);
    const source = new FilePolicySource(root, "policy.yaml");

    const first = await source.load();
    expect(await source.load()).toBe(first); // same text: the compiled policy is reused

    writeFileSync(path.join(root, "policy.yaml"), SHIPPED.replace(/^(\s*-?\s*id:\s*)(\S+)/m, "$1$2-edited"));
    const edited = await source.load();
    expect(edited).not.toBe(first);
    expect(JSON.stringify(edited)).toContain("-edited");

    writeFileSync(path.join(root, "policy.yaml"), "rules: [");
    await expect(source.load()).rejects.toMatchObject({ code: "POLICY_UNAVAILABLE" });
  });
});
