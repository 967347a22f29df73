import { context, trace as otelTrace } from "@opentelemetry/api";
import type { Span, Tracer } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { getPlatform, registerPlatform, trace } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";
import { hasGenAiAttributes } from "../src/provider/span-filter";

/**
 * The span filter of llmops's provider, through instrument(): framework spans (Next.js's tracer, the OpenTelemetry
 * HTTP and fs instrumentations) do not reach the platform, LLM spans do, and every exported parent link points at a
 * span that was exported too.
 */
describe("spans.filter", () => {
  const appRoot = createTempApp({ manifest: { name: "filter-app" } });
  const base = { appRoot, env: {}, flushOnExit: false as const };

  beforeEach(() => {
    resetProcessState();
    captureDiag();
  });

  async function start(extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, env, config: { service: { name: "svc" }, ...extra } });
    const tracer = (name: string): Tracer => otelTrace.getTracer(name);
    const exported = async () => {
      await tracing.forceFlush();
      return exporter.getFinishedSpans().map((span) => ({ name: span.name, id: span.spanContext().spanId, parent: span.parentSpanContext?.spanId }));
    };
    return { tracing, tracer, exported };
  }

  /** Runs `fn` with `span` as the active span, and ends the span after. */
  function within<T>(span: Span, fn: () => T): T {
    try {
      return context.with(otelTrace.setSpan(context.active(), span), fn);
    } finally {
      span.end();
    }
  }

  /** A Next.js request as its tracer makes it, with an LLM call (an instrumentor's span) two levels down. */
  function nextRequest(tracer: (name: string) => Tracer, inner: () => void = () => tracer("@arizeai/openinference-instrumentation-openai").startSpan("OpenAI Chat Completions").end()) {
    const next = tracer("next.js");
    within(next.startSpan("GET /api/chat"), () => {
      next.startSpan("resolve page components").end();
      tracer("@opentelemetry/instrumentation-fs").startSpan("fs readFile").end();
      within(next.startSpan("executing api route (app) /api/chat"), () => {
        inner();
        tracer("@opentelemetry/instrumentation-http").startSpan("POST").end();
      });
    });
  }

  it("by default drops framework spans and keeps the LLM span, under the request span kept as the trace's root", async () => {
    const { tracer, exported } = await start();
    nextRequest(tracer);
    const spans = await exported();
    expect(spans.map((span) => span.name)).toEqual(["OpenAI Chat Completions", "GET /api/chat"]);
    const [llm, request] = spans;
    expect(llm?.parent).toBe(request?.id);
    expect(request?.parent).toBeUndefined();
  });

  it("keeps trace() spans, the app's own spans and GenAI-convention spans of any tracer, each under its nearest kept ancestor", async () => {
    const { tracer, exported } = await start();
    const handler = trace(
      () => {
        within(tracer("next.js").startSpan("fetch POST"), () => {
          tracer("next.js")
            .startSpan("ai.generateText", { attributes: { "gen_ai.operation.name": "chat" } })
            .end();
          tracer("my-app").startSpan("my step").end();
        });
      },
      { name: "agent" },
    );
    nextRequest(tracer, handler);
    const spans = await exported();
    const byName = new Map(spans.map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual(["GET /api/chat", "agent", "ai.generateText", "my step"]);
    expect(byName.get("ai.generateText")?.parent).toBe(byName.get("agent")?.id);
    expect(byName.get("my step")?.parent).toBe(byName.get("agent")?.id);
    expect(byName.get("agent")?.parent).toBe(byName.get("GET /api/chat")?.id);
  });

  it("a trace with no LLM span sends nothing; a root that ended before its LLM span (a streamed response) is not pointed at", async () => {
    const { tracer, exported } = await start();
    nextRequest(tracer, () => {});
    expect(await exported()).toEqual([]);
    const next = tracer("next.js");
    const request = next.startSpan("GET /api/stream");
    const llm = context.with(otelTrace.setSpan(context.active(), request), () => tracer("@arizeai/openinference-instrumentation-openai").startSpan("OpenAI Chat Completions"));
    request.end();
    llm.end();
    const spans = await exported();
    expect(spans.map((span) => [span.name, span.parent])).toEqual([["OpenAI Chat Completions", undefined]]);
  });

  it("every exported parent is an exported span, whatever the shape of the tree (random trees)", async () => {
    const { tracer, exported } = await start();
    const scopes = ["next.js", "@opentelemetry/instrumentation-http", "@arizeai/openinference-instrumentation-openai", "@llmops/core", "my-app"];
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const grow = (depth: number): void => {
      const children = depth > 4 ? 0 : Math.floor(random() * 3);
      for (let index = 0; index < children; index++) {
        const scope = scopes[Math.floor(random() * scopes.length)] ?? "next.js";
        within(tracer(scope).startSpan(`${scope}@${depth}`), () => grow(depth + 1));
      }
    };
    for (let tree = 0; tree < 30; tree++) within(tracer("next.js").startSpan("root"), () => grow(1));
    const spans = await exported();
    const ids = new Set(spans.map((span) => span.id));
    expect(spans.length).toBeGreaterThan(10);
    for (const span of spans) if (span.parent !== undefined) expect(ids.has(span.parent)).toBe(true);
    expect(spans.some((span) => span.name.startsWith("@opentelemetry/instrumentation-http"))).toBe(false);
  });

  it.each([
    ["spans.filter: all", { spans: { filter: "all" } }, {}],
    ["LLMOPS_SPANS_FILTER=all", {}, { LLMOPS_SPANS_FILTER: "all" }],
  ])("%s keeps every span with its own parent", async (_how, extra, env) => {
    const { tracer, exported } = await start(extra, env);
    nextRequest(tracer);
    const spans = await exported();
    expect(spans).toHaveLength(6);
  });

  it("rejects an unknown filter in strict mode, naming the key", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    await expect(getPlatform("memory").instrument({ ...base, validationMode: "strict", config: { service: { name: "svc" }, spans: { filter: "some" } } as never })).rejects.toThrow("spans.filter");
  });

  it("does not touch an app's own provider: llmops's filter applies to llmops's exporters only", async () => {
    const appExporter = new InMemorySpanExporter();
    const appProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appExporter)] });
    const { tracing, exported } = await start();
    const appTracer = appProvider.getTracer("next.js");
    appTracer.startSpan("GET /app-route").end();
    tracing.tracerProvider.getTracer("next.js").startSpan("GET /llmops-route").end();
    expect(appExporter.getFinishedSpans().map((span) => span.name)).toEqual(["GET /app-route"]);
    expect(await exported()).toEqual([]);
  });
});

describe("what counts as LLM work", () => {
  it("a cost rolled up onto a framework's span does not make it an LLM span; the LLM span's own attributes do", () => {
    expect(hasGenAiAttributes({ "llm.cost.total": 0.002, "http.route": "/api/chat" })).toBe(false);
    expect(hasGenAiAttributes({ "llm.model_name": "gpt-4o-mini" })).toBe(true);
    expect(hasGenAiAttributes({ "gen_ai.operation.name": "chat" })).toBe(true);
    expect(hasGenAiAttributes({ "openinference.span.kind": "CHAIN" })).toBe(true);
  });
});
