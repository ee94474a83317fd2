import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

// Mutation testing runs the unit and integration suites only: e2e stacks are too slow to run per mutant.
// (Not mergeConfig: it concatenates arrays, so the base "test/**" include would bring the e2e suites back.)
export default defineConfig({
  test: { ...base.test, include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"] },
});
