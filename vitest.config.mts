import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e suites start real servers; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
