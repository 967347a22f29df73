// Zero-code start for CommonJS apps: node --require @llmops/platform-otlp/register app.cjs
// Runs the llmops pipeline from the config file and environment, and patches the instrumentors' modules as the app
// loads them (modules the app requires before the pipeline is ready are patched when it is). Prefer --import where
// the first call must be traced: under --require the app starts without waiting.
"use strict";
const { preloadPlatform } = require("@llmops/core");
const { platform } = require("./dist/index.cjs");

preloadPlatform(platform).catch((error) => {
  // Strict mode only (permissive mode never rejects): fail fast, as a failed --import would.
  process.nextTick(() => {
    throw error;
  });
});
