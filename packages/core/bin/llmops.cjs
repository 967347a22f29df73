#!/usr/bin/env node
"use strict";
// The `llmops` command. This file ships as it is, so that package managers can link the command at install time,
// before anything is built (a bin pointing into dist fails to link in a fresh clone of the workspace); the CLI
// itself is the build output.
try {
  require.resolve("../dist/cli.cjs");
} catch {
  process.stderr.write("llmops: @llmops/core has no dist/cli.cjs; in the llmops workspace run `pnpm run build` first.\n");
  process.exit(1);
}
require("../dist/cli.cjs");
