import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export interface ThrottleRetryOptions {
  maxRetries: number;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

const DEFAULTS: ThrottleRetryOptions = {
  maxRetries: 3,
  baseDelayMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The SDK retries a 429 only when it carries Retry-After (its throttling policy); ARM documents that header, but a
 * throttle without it must not fail the activity at once and spend the review's retries. Retried here a few times
 * with exponential backoff; what still fails reaches the caller as a transient error, as before.
 */
export function throttleRetryPolicy(options: Partial<ThrottleRetryOptions> = {}): PipelinePolicy {
  const { maxRetries, baseDelayMs, sleep } = { ...DEFAULTS, ...options };
  return {
    name: "throttleWithoutRetryAfter",
    async sendRequest(request, next) {
      let response = await next(request);
      for (let attempt = 0; attempt < maxRetries && isBareThrottle(response); attempt++) {
        await sleep(baseDelayMs * 2 ** attempt);
        response = await next(request);
      }
      return response;
    },
  };
}

function isBareThrottle(response: { status: number; headers: { get(name: string): string | undefined } }): boolean {
  return response.status === 429 && !response.headers.get("retry-after");
}
