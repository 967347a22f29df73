// B2's app, copied into the generated fixture (an app whose node_modules holds 1,000 packages) and run there as a
// fresh process: `node app.mjs import-core` or `node app.mjs <setup>`. Prints one JSON line.
import { performance } from "node:perf_hooks";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const mode = process.argv[2];
const appRoot = dirname(fileURLToPath(import.meta.url));
const memory = () => process.resourceUsage().maxRSS;

if (mode === "import-core") {
  const started = performance.now();
  await import("@llmops/core");
  const importMillis = performance.now() - started;
  console.log(JSON.stringify({ mode, importMillis, readyMillis: performance.now(), maxRssKb: memory() }));
} else {
  const { startTracing } = await import("./setups.mjs");
  const { chat, createClient } = await import("./canned-openai.mjs");
  const started = performance.now();
  const setup = await startTracing(mode, { url: process.env.BENCH_SINK_URL, appRoot });
  const client = createClient(setup.require("openai"));
  const readyMillis = performance.now();
  const maxRssKbAtReady = memory();
  // Proof that the setup works: one call whose span must reach the sink.
  await chat(client);
  const flush = await setup.flush();
  // From ready to the first span exported: what a setup that defers work past "ready" pays here instead.
  const firstExportMillis = performance.now() - readyMillis;
  console.log(JSON.stringify({ mode, readyMillis, setupMillis: readyMillis - started, firstExportMillis, maxRssKb: maxRssKbAtReady, maxRssKbAfterFirstCall: memory(), flush }));
}
process.exit(0);
