import { trace as otelTrace } from "@opentelemetry/api";
import { BatchSpanProcessor, InMemorySpanExporter, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { getPlatform, registerPlatform, trace } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { memoryPlatform } from "./helpers";

/**
 * An app that runs its own OpenTelemetry setup (listed in its package.json) and llmops, started in either order:
 * llmops registers no global, so the app's registration never meets "duplicate registration"; the app's spans stay
 * with the app's provider, the LLM spans go to llmops's, and both sit in one trace.
 */
describe("instrument() next to the app's own OpenTelemetry setup", () => {
  let logs: CapturedLogs;
  const ownsOtel = createTempApp({ manifest: { name: "otel-app", dependencies: { "@opentelemetry/sdk-node": "0.223.0" } } });
  const plain = createTempApp({ manifest: { name: "plain-app" } });
  const base = { env: {}, flushOnExit: false as const, config: { service: { name: "llm" } } };

  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });

  /** The app's own provider, registered as NodeSDK does (provider, AsyncLocalStorage context manager, propagator). */
  function startAppSdk(): { provider: NodeTracerProvider; exporter: InMemorySpanExporter } {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.register();
    return { provider, exporter };
  }

  async function llmCallInsideAppSpan(tracerProvider: { getTracer(name: string): ReturnType<typeof otelTrace.getTracer> }): Promise<void> {
    await otelTrace.getTracer("app").startActiveSpan("app request", async (span) => {
      tracerProvider.getTracer("openinference").startSpan("llm call").end();
      span.end();
    });
  }

  it.each(["llmops first", "app first"] as const)("%s: no duplicate registration, the app's span to the app, the LLM span to llmops, one trace", async (order) => {
    const { platform, exporter: llmExporter } = memoryPlatform();
    registerPlatform(platform);
    const app = order === "app first" ? startAppSdk() : undefined;
    const tracing = await getPlatform("memory").instrument({ ...base, appRoot: ownsOtel });
    const { provider, exporter: appExporter } = app ?? startAppSdk();

    const global = otelTrace.getTracerProvider() as { getDelegate?: () => unknown };
    expect(global.getDelegate?.() ?? global).toBe(provider);
    await llmCallInsideAppSpan(tracing.tracerProvider);
    await Promise.all([tracing.forceFlush(), provider.forceFlush()]);

    const appSpans = appExporter.getFinishedSpans();
    const llmSpans = llmExporter.getFinishedSpans();
    expect({ app: appSpans.map((span) => span.name), llm: llmSpans.map((span) => span.name) }).toEqual({ app: ["app request"], llm: ["llm call"] });
    expect(llmSpans[0]?.spanContext().traceId).toBe(appSpans[0]?.spanContext().traceId);
    expect(llmSpans[0]?.parentSpanContext?.spanId).toBe(appSpans[0]?.spanContext().spanId);
    expect(logs.text()).not.toMatch(/duplicate registration|already registered/i);
    await tracing.shutdown();
    await provider.shutdown();
  });

  it("registers its own context manager at the first span when the listed setup never registered one, so trace() still nests", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, appRoot: ownsOtel });
    const slot = (): Record<string, unknown> | undefined => (globalThis as Record<symbol, Record<string, unknown> | undefined>)[Symbol.for("opentelemetry.js.api.1")];
    expect({ trace: slot()?.trace, context: slot()?.context }).toEqual({ trace: undefined, context: undefined });
    const tool = trace(async () => "done", { name: "tool" });
    await trace(async () => tool(), { name: "agent" })();
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const agent = spans.find((span) => span.name === "agent");
    expect(spans.find((span) => span.name === "tool")?.parentSpanContext?.spanId).toBe(agent?.spanContext().spanId);
    expect({ trace: slot()?.trace, context: slot()?.context === undefined }).toEqual({ trace: undefined, context: false });
    await tracing.shutdown();
  });

  it("still registers globally in an app that lists no OpenTelemetry setup", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, appRoot: plain });
    otelTrace.getTracer("any").startSpan("through the global API").end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["through the global API"]);
    await tracing.shutdown();
  });

  it("registers globally in such an app with global: true, as before", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, appRoot: ownsOtel, global: true });
    otelTrace.getTracer("any").startSpan("through the global API").end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["through the global API"]);
    await tracing.shutdown();
  });
});
