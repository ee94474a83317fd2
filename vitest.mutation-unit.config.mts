import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

// The unit suite alone: fast enough per mutant for the large domain and workflow scopes on a small machine.
// (Not mergeConfig: it concatenates arrays, so the base "test/**" include would bring the e2e suites back.)
export default defineConfig({ test: { ...base.test, include: ["test/unit/**/*.test.ts"] } });
