import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpanRecord } from "../src/export/span-record";

/** A fresh temporary folder. */
export function temporaryDirectory(prefix = "llmops-local-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A provider recording ended spans in memory, plus any extra processors. */
export function recordingProvider(extra: SpanProcessor[] = []): { provider: BasicTracerProvider; memory: InMemorySpanExporter } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [...extra, new SimpleSpanProcessor(memory)] });
  return { provider, memory };
}

/** Real SDK spans: an LLM call inside a chain, the second one failing. */
export function sampleSpans(): ReadableSpan[] {
  const { provider, memory } = recordingProvider();
  const tracer = provider.getTracer("sample-scope", "1.2.3");
  // No context manager is registered here: the parent is passed explicitly.
  const chain = tracer.startSpan("chain", { attributes: { "openinference.span.kind": "CHAIN" } });
  const llm = tracer.startSpan(
    "OpenAI Chat Completions",
    { attributes: { "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.token_count.prompt": 12, "llm.token_count.completion": 8 } },
    trace.setSpan(context.active(), chain),
  );
  llm.addEvent("first token", { index: 0 });
  llm.end();
  chain.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
  chain.end();
  return memory.getFinishedSpans();
}

let counter = 0;

/** A span record for the tree formatter, with defaults for what a test does not care about. */
export function record(fields: Partial<SpanRecord> & { spanId: string }): SpanRecord {
  counter += 1;
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    parentSpanId: null,
    name: `span ${fields.spanId}`,
    kind: "INTERNAL",
    startTime: `2025-01-31T10:00:00.${String(counter).padStart(3, "0")}Z`,
    endTime: "2025-01-31T10:00:01.000Z",
    durationMs: 1,
    status: { code: "UNSET" },
    attributes: {},
    events: [],
    resource: { "service.name": "svc" },
    scope: { name: "test" },
    ...fields,
  };
}
