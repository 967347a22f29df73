// B2's app, copied into the generated fixture (an app whose node_modules holds 1,000 packages) and run there as a
// fresh process: `node app.mjs import-core` or `node app.mjs <setup>[@esm|@register]`. Prints one JSON line.
//   <setup>           a CommonJS-style app: openai loaded with require after tracing started (each tool's classic way)
//   <setup>@esm       an ES module app: openai imported first (as a static import is), handed to the tool the way its
//                     docs say for ES modules (llmops: instrument({ modules }); OpenInference: manuallyInstrument)
//   llmops@register   zero code: the process runs under --import @llmops/platform-arize/register, the app imports openai
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const mode = process.argv[2];
const appRoot = dirname(fileURLToPath(import.meta.url));
const memory = () => process.resourceUsage().maxRSS;
const require = createRequire(import.meta.url);
/** What is loaded at ready: CommonJS modules (the module cache) and the heap in use. */
/** What is loaded at ready: CommonJS modules (the module cache) and the heap still in use after a full collection (B2 runs
 * the app with --expose-gc), so that garbage not yet collected does not count. */
const loaded = () => {
  globalThis.gc?.();
  return { cjsModules: Object.keys(require.cache).length, heapUsedKb: process.memoryUsage().heapUsed / 1024 };
};

if (mode === "import-core") {
  const started = performance.now();
  await import("@llmops/core");
  const importMillis = performance.now() - started;
  console.log(JSON.stringify({ mode, importMillis, readyMillis: performance.now(), maxRssKb: memory(), ...loaded() }));
} else {
  const [setupName, variant] = mode.split("@");
  // An ES module app's `import OpenAI from "openai"` runs before any of its code.
  const openaiModule = variant === "esm" || variant === "register" ? await import("openai") : undefined;
  const { startTracing } = await import("./setups.mjs");
  const { chat, createClient } = await import("./canned-openai.mjs");
  const started = performance.now();
  const setup = await startTracing(variant === "register" ? `${setupName}-register` : setupName, { url: process.env.BENCH_SINK_URL, appRoot, openaiModule });
  const client = createClient(openaiModule ?? setup.require("openai"));
  const readyMillis = performance.now();
  const maxRssKbAtReady = memory();
  const atReady = loaded();
  // Proof that the setup works: one call whose span must reach the sink.
  await chat(client);
  const flush = await setup.flush();
  // From ready to the first span exported: what a setup that defers work past "ready" pays here instead.
  const firstExportMillis = performance.now() - readyMillis;
  console.log(JSON.stringify({ mode, readyMillis, setupMillis: readyMillis - started, firstExportMillis, maxRssKb: maxRssKbAtReady, maxRssKbAfterFirstCall: memory(), flush, ...atReady }));
}
process.exit(0);
