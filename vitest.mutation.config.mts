import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.mts";

// Mutation testing runs the unit and integration suites only: e2e stacks are too slow to run per mutant.
export default mergeConfig(
  base,
  defineConfig({
    test: { include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"] },
  }),
);
