import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APPROVER, EVERYONE_REVIEWS, inboxFor, reviewNeedingAPerson, SECOND_APPROVER } from "../support/approval-flow";
import { startE2eStack, type E2eStack } from "./e2e-stack";

/** The devhost runs every activity twice (as a retry after a lost completion would): nobody is asked twice. */
describe("approval notices when activities run twice", () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack({ runActivitiesTwice: true, settings: { POLICY_SOURCE: EVERYONE_REVIEWS } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("posts one card and sends one email per approver", async () => {
    await reviewNeedingAPerson(stack, "e2e-twice");
    expect(inboxFor(stack, "e2e-twice", "teams")).toHaveLength(1);
    expect(
      inboxFor(stack, "e2e-twice", "email")
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([APPROVER, SECOND_APPROVER]);
  });
});
