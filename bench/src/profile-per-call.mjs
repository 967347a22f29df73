// CPU profile of llmops's per-call path: `node bench/src/profile-per-call.mjs [calls]` runs B1's call (the real openai
// client, canned answers) under the arize platform exporting to a loopback OTLP sink, profiles the measured calls with
// the inspector, and sums the self time of every function by where its code lives. Prints one Markdown table.
import { Session } from "node:inspector/promises";
import { startSink } from "./sink.mjs";
import { chat, createClient } from "./canned-openai.mjs";
import { startTracing } from "./setups.mjs";
import { BENCH_ROOT } from "./lib.mjs";

const calls = Number(process.argv[2] ?? 5_000);

/** Where a function's code lives, first match wins; llmops's own code is its built dist. */
const CATEGORIES = [
  // Core's build bundles the SDK (tracer, spans, batch processor, OTLP exporters) into this one file.
  ["OpenTelemetry SDK bundled in core (span, batch processor, OTLP encoding)", /\/dist\/vendor\/otel\.cjs/],
  ["llmops (processors, counting, reporting, context attributes)", /\/packages\/(core|platform-[a-z]+)\/dist\/|@llmops\//],
  ["instrumentor (OpenInference, @opentelemetry/instrumentation)", /openinference|@opentelemetry\/instrumentation\/|shimmer/],
  ["async context (context manager, AsyncLocalStorage)", /context-async-hooks|@opentelemetry\/api\/build\/src\/(context|api\/context)|node:async_hooks|internal\/async_hooks|async_local_storage/],
  ["span (SDK tracer and span, ids, attributes)", /@opentelemetry\/(sdk-trace-base|sdk-trace|sdk-trace-node|core|api|resources|semantic-conventions)\//],
  ["export (batch processor hand-off, OTLP encoding, HTTP)", /otlp-|exporter-trace|protobufjs|node:http|internal\/http|_http_|node:net|internal\/stream|zlib/],
  ["openai client", /\/openai[@/]/],
  ["the bench app (canned fetch, loop)", /\/bench\/src\//],
];

function categorise(url, functionName) {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(idle)" || functionName === "(program)" || functionName === "(root)") return undefined;
  for (const [name, pattern] of CATEGORIES) if (pattern.test(url)) return name;
  return url === "" ? "V8 and Node built-ins (promises, timers, JSON)" : "other Node internals";
}

const sink = await startSink();
const setup = await startTracing("llmops", { url: sink.url, appRoot: BENCH_ROOT });
const client = createClient(setup.require("openai"));
for (let index = 0; index < 500; index += 1) await chat(client);
await setup.flush(60_000);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
const started = process.hrtime.bigint();
for (let index = 0; index < calls; index += 1) await chat(client);
await setup.flush(60_000);
const wallMicros = Number(process.hrtime.bigint() - started) / 1000;
const { profile } = await session.post("Profiler.stop");
session.disconnect();
await setup.shutdown();
await sink.close();

// Self time per node: samples × their intervals, attributed to the node's function.
const selfMicros = new Map();
for (let index = 0; index < profile.samples.length; index += 1) {
  const id = profile.samples[index];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0));
}
const totals = new Map();
const topByCategory = new Map();
let busy = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  const category = categorise(node.callFrame.url, node.callFrame.functionName);
  if (category === undefined) continue;
  busy += micros;
  totals.set(category, (totals.get(category) ?? 0) + micros);
  const key = `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.replace(/.*node_modules\//, "").replace(/.*\/packages\//, "packages/")}`;
  const top = topByCategory.get(category) ?? new Map();
  top.set(key, (top.get(key) ?? 0) + micros);
  topByCategory.set(category, top);
}
const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]);
console.log(`${calls} calls, Node ${process.version}: ${(wallMicros / calls).toFixed(0)} µs wall per call, ${(busy / calls).toFixed(0)} µs of CPU samples per call\n`);
console.log("| where | µs per call | share |\n| --- | --- | --- |");
for (const [category, micros] of rows) console.log(`| ${category} | ${(micros / calls).toFixed(1)} | ${((100 * micros) / busy).toFixed(1)} % |`);
if (process.env.PROFILE_TOP !== undefined) {
  for (const [category, top] of topByCategory) {
    console.log(`\n${category}:`);
    for (const [name, micros] of [...top.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP))) console.log(`  ${(micros / calls).toFixed(2)} µs ${name}`);
  }
}
process.exit(0);
