#!/usr/bin/env node
"use strict";
// The CLI is compiled TypeScript; `npm ci` builds it (the `prepare` script).
require("../dist/src/cli/main.js")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
