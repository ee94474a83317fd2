/** Import direction: functions → workflow → ports ← adapters; domain imports only domain. */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "src/domain imports nothing of ours but src/domain.",
      severity: "error",
      from: { path: "^src/domain" },
      to: { path: "^(src/(?!domain)|functions|devhost|sandbox|scripts)" },
    },
    {
      name: "domain-no-packages",
      comment: "src/domain is pure: no npm packages except pure data libraries (yaml, ajv).",
      severity: "error",
      from: { path: "^src/domain" },
      to: { dependencyTypes: ["npm", "npm-dev", "core"], pathNot: "node_modules/(yaml|ajv|ajv-formats)/" },
    },
    {
      name: "workflow-uses-domain-and-ports",
      comment: "src/workflow imports only src/domain, src/ports and itself (plus durable-functions types).",
      severity: "error",
      from: { path: "^src/workflow" },
      to: { path: "^(src/(adapters|config)|functions|devhost|sandbox|scripts)" },
    },
    {
      name: "ports-are-interfaces",
      comment: "src/ports depends only on src/domain.",
      severity: "error",
      from: { path: "^src/ports" },
      to: { path: "^(src/(adapters|workflow|config)|functions|devhost|sandbox)" },
    },
    {
      name: "adapters-implement-ports",
      comment: "src/adapters import ports and domain, never workflow or functions.",
      severity: "error",
      from: { path: "^src/adapters" },
      to: { path: "^(src/workflow|functions|devhost|sandbox)" },
    },
    {
      name: "src-never-imports-local-tools",
      comment: "Nothing in src/ or functions/ imports devhost/ or sandbox/.",
      severity: "error",
      from: { path: "^(src|functions)" },
      to: { path: "^(devhost|sandbox)" },
    },
    {
      name: "devhost-never-imports-scripts",
      comment: "scripts/ start the devhost; devhost/ never reaches back up into scripts/.",
      severity: "error",
      from: { path: "^devhost" },
      to: { path: "^scripts" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|node_modules)" },
  },
};
