// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeBuiltins = [
  "assert",
  "buffer",
  "child_process",
  "cluster",
  "crypto",
  "dgram",
  "dns",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "net",
  "os",
  "path",
  "perf_hooks",
  "process",
  "querystring",
  "readline",
  "stream",
  "timers",
  "tls",
  "url",
  "util",
  "v8",
  "vm",
  "worker_threads",
  "zlib",
];

// Domain and workflow code must be deterministic and free of I/O: orchestrations replay, the domain is pure.
const deterministic = {
  "no-restricted-imports": [
    "error",
    {
      paths: nodeBuiltins.map((name) => ({ name, message: "Domain and workflow code stays free of Node built-ins." })),
      patterns: [
        { group: ["node:*"], message: "Domain and workflow code stays free of Node built-ins." },
        { group: ["@azure/*"], message: "Azure SDKs belong in src/adapters, behind a port." },
      ],
    },
  ],
  "no-restricted-properties": [
    "error",
    { object: "Date", property: "now", message: "Take time from the orchestration context or a Clock port." },
    { object: "Math", property: "random", message: "Randomness breaks replay; pass values in." },
  ],
  "no-restricted-syntax": [
    "error",
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: "new Date() reads the wall clock; take time from the context or a Clock port.",
    },
  ],
  "no-restricted-globals": [
    "error",
    { name: "process", message: "Settings come in through config, not process." },
    { name: "setTimeout", message: "Timers in orchestrations come from context.df.createTimer." },
    { name: "fetch", message: "I/O belongs in adapters." },
  ],
};

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      ".local/**",
      "coverage/**",
      "reports/**",
      ".stryker-tmp*/**",
      "**/*.js",
      "**/*.cjs",
      "**/*.mjs",
      "vitest.config.mts",
      "vitest.mutation.config.mts",
      "vitest.mutation-unit.config.mts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/require-await": "off",
    },
  },
  { files: ["src/domain/**/*.ts", "src/workflow/**/*.ts"], rules: deterministic },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      // Tests read untyped JSON answers from the running app.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
