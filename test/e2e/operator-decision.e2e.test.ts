import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { encodeKey } from "../../src/domain/arm-id";
import { waitForApprovers } from "../support/approval-flow";
import { signIn } from "../support/easy-auth";
import { openApiProblems, type SeenResponse } from "../support/openapi-check";
import { estateOf, startE2eStack, type E2eStack } from "./e2e-stack";
import { operatorClient } from "./operator-client";

/** The decision route, driven as an operator and the CLI do, held to its OpenAPI document. */
describe("a decision over the API end to end", () => {
  let stack: E2eStack;
  let call: ReturnType<typeof operatorClient>;
  let connectionId: string;
  let key: string;
  const seen: SeenResponse[] = [];
  // The shipped policy sends an unknown tenant's request to the platform team.
  const approver = "platform-team@contoso.example";

  beforeAll(async () => {
    stack = await startE2eStack();
    const estate = estateOf(stack);
    call = operatorClient(stack.devhost.url, seen);
    const pe = await stack.createEndpoint({
      consumer: estate.foreign,
      name: "decision-stranger-kv",
      targetResourceId: estate.keyVault.id,
    });
    connectionId = pe.connectionId;
    key = encodeKey(connectionId);
    expect((await stack.api("POST", "/reviews", { connectionId })).status).toBe(202);
    const row = await stack.waitForConnection(connectionId, ["awaiting-approval"]);
    // The row says awaiting-approval before the review has asked anyone; a decision needs the approvers named.
    expect(await waitForApprovers(stack, row.instanceId)).toContain(approver);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const decide = async (cookie: string | undefined, body: unknown) =>
    call("POST", `/connections/${key}/decision`, { ...(cookie ? { cookie } : {}), body });

  it("refuses callers who may not decide, and changes nothing", async () => {
    const reader = await signIn(stack.devhost.url, { name: approver, roles: ["Reader"] });
    const stranger = await signIn(stack.devhost.url, { name: "someone@contoso.example", roles: ["Approver"] });
    const approve = { decision: "approve", reason: "looks fine" };
    expect((await decide(undefined, approve)).status).toBe(401);
    expect((await decide(reader, approve)).status).toBe(403);
    expect((await decide(stranger, approve)).status).toBe(403);
    const cookie = await signIn(stack.devhost.url, { name: approver, roles: ["Approver"] });
    for (const body of [{ decision: "maybe", reason: "x" }, { decision: "approve" }, "{nope", [1]]) {
      const res = await decide(cookie, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toMatch(/\w+/);
    }
    const still = await stack.api("GET", `/connections/${key}`);
    expect(still.body.state).toBe("awaiting-approval");
  });

  it("approves the waiting review when one of its approvers decides with the CLI", async () => {
    const cookie = await signIn(stack.devhost.url, { name: approver, roles: ["Approver"] });
    let stdout = "";
    const code = await main(
      ["decide", connectionId, "approve", "--reason", "Analytics team, ticket 4711", "--url", stack.devhost.url],
      {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stdout += t),
        readText: async () => "",
        now: () => new Date().toISOString(),
        env: { AUTOPILOT_COOKIE: cookie },
      },
    );
    expect(code, stdout).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ decision: "approve", decidedBy: approver });

    const approved = await stack.waitForConnection(connectionId, ["approved", "rejected", "failed"]);
    expect(approved).toMatchObject({ state: "approved", decidedBy: approver });
    // The Key Vault api-version the app uses (src/adapters/arm/api-versions.json).
    const onAzure = await stack.arm("GET", `${connectionId}?api-version=2023-07-01`);
    expect(JSON.stringify(onAzure.body)).toContain("Approved");
  });

  it("answers as its OpenAPI document says", () => {
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.flatMap(openApiProblems)).toEqual([]);
  });
});
