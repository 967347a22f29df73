// What the export path costs per B1 span on the app's thread, and what a worker thread could take off it:
//   node bench/src/encode-cost.mjs
// Makes 512 spans the way B1 does (the real openai client, canned fetch, OpenInference's instrumentor), then times
// (1) OTLP protobuf serialization of the batch, as the exporter does it, and (2) a structured clone of plain copies of
// the same spans, the least a hand-off to a worker thread would cost. Prints µs per span, 5 and 3 repetitions.
import { createRequire } from "node:module";
import { join } from "node:path";
import { BENCH_ROOT } from "./lib.mjs";
import { chat, createClient } from "./canned-openai.mjs";

const require = createRequire(join(BENCH_ROOT, "package.json"));
const { NodeTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-node");
const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");
const exporterRequire = createRequire(require.resolve("hand-wired-exporter-trace-otlp-proto"));
const { ProtobufTraceSerializer } = exporterRequire("@opentelemetry/otlp-transformer");
const openai = require("openai");

const memory = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
provider.register();
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.manuallyInstrument(openai);

const client = createClient(openai);
for (let index = 0; index < 512; index += 1) await chat(client);
const spans = memory.getFinishedSpans();
if (spans.length !== 512) throw new Error(`expected 512 spans, got ${spans.length}`);

const perSpan = (run, times) => {
  const started = process.hrtime.bigint();
  for (let index = 0; index < times; index += 1) run();
  return Number(process.hrtime.bigint() - started) / 1000 / (times * spans.length);
};
const bytes = ProtobufTraceSerializer.serializeRequest(spans).length;
console.log(`Node ${process.version}: ${spans.length} spans, ${Object.keys(spans[0].attributes).length} attributes each, ${(bytes / spans.length).toFixed(0)} bytes per span encoded`);
for (let round = 0; round < 5; round += 1) console.log(`protobuf serialization: ${perSpan(() => ProtobufTraceSerializer.serializeRequest(spans), 10).toFixed(1)} µs/span`);
const plain = spans.map((span) => ({
  name: span.name,
  kind: span.kind,
  spanContext: span.spanContext(),
  parentSpanContext: span.parentSpanContext,
  startTime: span.startTime,
  endTime: span.endTime,
  attributes: span.attributes,
  status: span.status,
  events: span.events,
  links: span.links,
}));
for (let round = 0; round < 3; round += 1) console.log(`structured clone of plain copies: ${perSpan(() => globalThis.structuredClone(plain), 10).toFixed(1)} µs/span`);
process.exit(0);
