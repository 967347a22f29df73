// Zero-code start for ES module apps (and any app): node --import @llmops/platform-otlp/register app.mjs
// Runs the llmops pipeline from the config file and environment before the app loads, and patches the instrumentors'
// modules as the app imports or requires them. Node waits for this module (top-level await) before starting the app.
import { preloadPlatform } from "@llmops/core";
import { platform } from "./dist/index.js";

await preloadPlatform(platform);
