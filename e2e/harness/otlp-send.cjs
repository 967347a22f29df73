// Child process behind otlp.ts `sendSpans`: records the spans described on stdin with the OpenTelemetry SDK and
// exports them with the real OTLP/HTTP protobuf exporter, then prints one JSON line with what it sent.
//
// Why a child process: inside jest the exporter cannot send anything. Its HTTP transport loads `http` with a
// dynamic `import()`, which jest's module sandbox refuses unless node runs with --experimental-vm-modules
// ("A dynamic import callback was invoked without --experimental-vm-modules"). Here it runs as in any app.
//
// stdin:  { endpoint, headers?, resource?, spans: SpanSpec[] }
//         SpanSpec = { name, kind?: "INTERNAL"|"SERVER"|"CLIENT"|"PRODUCER"|"CONSUMER", attributes?,
//                      status?: { code: "OK"|"ERROR", message? }, events?: [{ name, attributes? }], children?: SpanSpec[] }
// stdout: { ok: true, spans: [{ name, traceId, spanId, parentSpanId }] }   (depth first, parents before children)
//      or { ok: false, error }
"use strict";
const api = require("@opentelemetry/api");
const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
const { resourceFromAttributes } = require("@opentelemetry/resources");
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function record(tracer, spec, parentContext, sent) {
  const span = tracer.startSpan(spec.name, { kind: api.SpanKind[spec.kind ?? "INTERNAL"], attributes: spec.attributes ?? {} }, parentContext);
  const parent = api.trace.getSpan(parentContext);
  sent.push({ name: spec.name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parentSpanId: parent?.spanContext().spanId });
  for (const event of spec.events ?? []) span.addEvent(event.name, event.attributes ?? {});
  const context = api.trace.setSpan(parentContext, span);
  for (const child of spec.children ?? []) record(tracer, child, context, sent);
  if (spec.status !== undefined) span.setStatus({ code: api.SpanStatusCode[spec.status.code], message: spec.status.message });
  span.end();
}

async function main() {
  const request = await readStdin();
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(request.resource ?? {}),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer("llmops-e2e-harness");
  const sent = [];
  for (const spec of request.spans) record(tracer, spec, api.ROOT_CONTEXT, sent);
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();

  const exporter = new OTLPTraceExporter({ url: request.endpoint, headers: request.headers ?? {}, timeoutMillis: 15000 });
  const result = await new Promise((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  // ExportResultCode.SUCCESS is 0 (@opentelemetry/core).
  if (result.code !== 0) {
    const error = result.error;
    const detail = [error?.message, error?.code !== undefined ? `status ${error.code}` : undefined, error?.data].filter(Boolean).join("; ");
    return { ok: false, error: detail || "the exporter reported failure with no error" };
  }
  return { ok: true, spans: sent };
}

main().then(
  (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`),
  (error) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.stack : String(error) })}\n`);
  },
);
