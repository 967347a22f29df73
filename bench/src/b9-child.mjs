// B9's app: llmops with @llmops/platform-otlp exporting to a real OpenTelemetry Collector. Makes BENCH_SPANS spans
// (a parent with an LLM child, OpenInference attributes), yielding to the event loop every BENCH_YIELD_EVERY spans, then
// flushes; prints one JSON line with the time from the first span to the end of the flush, the process's CPU time,
// and stats().
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldNow } from "node:timers/promises";

const root = process.env.BENCH_REPO_ROOT;
const require = createRequire(join(root, "packages", "platform-otlp", "package.json"));
const otlp = await import(join(root, "packages", "platform-otlp", "dist", "index.js"));
const { context, trace } = require("@opentelemetry/api");

const spans = Number(process.env.BENCH_SPANS);
const yieldEvery = Number(process.env.BENCH_YIELD_EVERY);
const tracing = await otlp.instrument({
  config: { service: { name: "bench-b9" }, otlp: { endpoint: process.env.BENCH_ENDPOINT, protocol: process.env.BENCH_PROTOCOL } },
  appRoot: process.env.BENCH_APP_ROOT,
  validationMode: "strict",
  flushOnExit: false,
});
const tracer = tracing.tracerProvider.getTracer("bench-b9");
const attributes = {
  "openinference.span.kind": "LLM",
  "llm.model_name": "gpt-4o-mini",
  "llm.token_count.prompt": 12,
  "llm.token_count.completion": 30,
  "input.value": "What is the capital of France?",
  "output.value": "Paris.",
};

const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let made = 0; made < spans; made += 2) {
  const parent = tracer.startSpan("agent", { attributes: { "openinference.span.kind": "AGENT" } });
  tracer.startSpan("ChatCompletion", { attributes }, trace.setSpan(context.active(), parent)).end();
  parent.end();
  if (made % yieldEvery === 0) await yieldNow();
}
const flush = await tracing.forceFlush({ timeoutMillis: 120_000 });
const totalMillis = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const stats = tracing.stats();
await tracing.shutdown();
process.stdout.write(`${JSON.stringify({ totalMillis, cpuMicros: cpu.user + cpu.system, flushOk: flush.ok, stats })}\n`);
