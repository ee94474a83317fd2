import { describe, expect, it } from "vitest";
import { ActivityNames } from "../../../src/workflow/names";
import { callActivity, type WorkflowContext, type WorkflowRetryOptions } from "../../../src/workflow/workflow-context";

/** The retry policy a workflow hands the durable runtime with each activity call. */
function retryPolicySent(): WorkflowRetryOptions {
  let sent: WorkflowRetryOptions | undefined;
  const context = {
    df: {
      callActivityWithRetry: (_name: string, retry: WorkflowRetryOptions) => {
        sent = retry;
        return { isCompleted: false, isFaulted: false };
      },
    },
  } as unknown as WorkflowContext;
  callActivity(context, ActivityNames.readConnection, { connectionId: "c" }).next();
  return sent!;
}

describe("activity retries", () => {
  it("end by their attempts, never by a retry timeout (durable-functions 3 hangs the orchestration on one)", () => {
    const retry = retryPolicySent();
    expect(retry).not.toHaveProperty("retryTimeoutInMilliseconds");
    expect(retry.maxNumberOfAttempts).toBeGreaterThan(1);
    // The waits between attempts stay short enough for a review to fail (and say so) within minutes.
    const waits = Array.from({ length: retry.maxNumberOfAttempts - 1 }, (_, i) =>
      Math.min(
        retry.firstRetryIntervalInMilliseconds * retry.backoffCoefficient ** i,
        retry.maxRetryIntervalInMilliseconds,
      ),
    );
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300_000);
  });
});
