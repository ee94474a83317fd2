import { describe, expect, expectTypeOf, it } from "vitest";
import type { Activities } from "../../../src/workflow/activities";
import type { ActivityInput, RecordOutcomeInput } from "../../../src/workflow/contracts";
import { ActivityNames } from "../../../src/workflow/names";
import { callActivity, type WorkflowContext } from "../../../src/workflow/workflow-context";
import { reviewHarness } from "../../support/review-harness";

/** The compiler holds callers and activities to one contract per name (test/tsconfig.json checks this file). */
describe("activity contracts", () => {
  it("a call with another activity's input, or a handler of another shape, does not compile", () => {
    function* wrongInput(context: WorkflowContext) {
      // @ts-expect-error: the outcome step wants a RecordOutcomeInput, not a clean-up target
      yield* callActivity(context, ActivityNames.recordOutcome, { instanceId: "i", target: {}, at: "t" });
    }
    expectTypeOf<Activities[typeof ActivityNames.recordOutcome]>().parameter(0).toEqualTypeOf<RecordOutcomeInput>();
    expectTypeOf<ActivityInput<typeof ActivityNames.readConnection>>().toEqualTypeOf<{ connectionId: string }>();
    expect(wrongInput).toBeTypeOf("function");
  });

  it("every named activity has an implementation, and nothing else is registered", () => {
    const { activities } = reviewHarness();
    expect(Object.keys(activities).sort()).toEqual(Object.values(ActivityNames).sort());
  });
});
