import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.mts";

// The unit suite alone: fast enough per mutant for the large domain and workflow scopes on a small machine.
export default mergeConfig(base, defineConfig({ test: { include: ["test/unit/**/*.test.ts"] } }));
