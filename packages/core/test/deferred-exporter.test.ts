import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ConfigurationError, getPlatform, LlmopsError, registerPlatform } from "@llmops/core";
import type { ManagedTracerProvider, SpanExporterFactory } from "@llmops/core";
import { DeferredExporter } from "../src/provider/deferred-exporter";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";
import type { CapturedLogs } from "@llmops-internal/test-support";

/** A factory that counts its calls and builds an in-memory exporter (or fails with `failWith`). */
function countingFactory(failWith?: Error) {
  const calls = { count: 0 };
  const exporter = new InMemorySpanExporter();
  const factory: SpanExporterFactory = async () => {
    calls.count += 1;
    if (failWith !== undefined) throw failWith;
    return exporter;
  };
  return { factory, calls, exporter };
}

function endSpans(provider: ManagedTracerProvider, count: number): void {
  const tracer = provider.getTracer("deferred-test");
  for (let index = 0; index < count; index++) tracer.startSpan(`span-${index}`).end();
}

describe("exporters given as factories", () => {
  const appRoot = createTempApp({ manifest: { name: "deferred-app" } });
  let logs: CapturedLogs;
  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });
  afterEach(() => logs.restore());

  function registerWith(factory: SpanExporterFactory, batch = true): void {
    const { platform } = memoryPlatform();
    registerPlatform({ ...platform, createTracerProvider: ({ assembleTracerProvider: assemble }) => assemble({ exporters: [factory], batch }) });
  }

  it("permissive mode: creates the exporter at the first export, not in instrument(), and delivers every span", async () => {
    const { factory, calls, exporter } = countingFactory();
    registerWith(factory);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "svc" } } });
    expect(tracing.active).toBe(true);
    expect(calls.count).toBe(0);
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 3);
    expect(calls.count).toBe(0);
    const result = await tracing.forceFlush();
    expect(calls.count).toBe(1);
    expect(result).toEqual({ ok: true, timedOut: false, stats: expect.objectContaining({ spansEnded: 3, spansExported: 3, spansPending: 0 }) });
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["span-0", "span-1", "span-2"]);
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 2);
    await tracing.forceFlush();
    expect(calls.count).toBe(1);
    expect(exporter.getFinishedSpans()).toHaveLength(5);
    await tracing.shutdown();
  });

  it("permissive mode: a shutdown with nothing exported never creates the exporter", async () => {
    const { factory, calls } = countingFactory();
    registerWith(factory);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "svc" } } });
    expect(await tracing.forceFlush()).toEqual(expect.objectContaining({ ok: true }));
    expect(await tracing.shutdown()).toEqual(expect.objectContaining({ ok: true }));
    expect(calls.count).toBe(0);
  });

  it("permissive mode: a factory that fails fails those exports, counted and warned with the reason, never thrown", async () => {
    const { factory, calls } = countingFactory(new Error("Cannot find module '@acme/exporter'"));
    registerWith(factory);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "svc" } } });
    expect(tracing.active).toBe(true);
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 2);
    const first = await tracing.forceFlush();
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 1);
    const second = await tracing.forceFlush();
    expect(calls.count).toBe(1);
    expect(first).toEqual(expect.objectContaining({ ok: false, stats: expect.objectContaining({ spansFailedExport: 2 }) }));
    expect(second.stats).toEqual(expect.objectContaining({ spansEnded: 3, spansFailedExport: 3, spansPending: 0 }));
    expect(second.stats?.lastExportError).toBe("the exporter could not be created: Cannot find module '@acme/exporter'");
    const warnings = logs.messages.filter((message) => message.startsWith("warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("the exporter could not be created: Cannot find module '@acme/exporter'");
    await tracing.shutdown();
  });

  it("strict mode: creates the exporter inside instrument(), and a factory that fails throws from it", async () => {
    const good = countingFactory();
    registerWith(good.factory);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, validationMode: "strict", config: { service: { name: "svc" } } });
    expect(good.calls.count).toBe(1);
    await tracing.shutdown();

    resetProcessState();
    const bad = countingFactory(new Error("no such exporter"));
    registerWith(bad.factory);
    const attempt = getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, validationMode: "strict", config: { service: { name: "svc" } } });
    await expect(attempt).rejects.toThrow(LlmopsError);
    await expect(attempt).rejects.toThrow(/no such exporter/);
    await expect(attempt).rejects.not.toBeInstanceOf(ConfigurationError);
  });
});

describe("DeferredExporter", () => {
  it("creates the exporter once for concurrent exports, and passes each result through", async () => {
    const inner = new InMemorySpanExporter();
    let calls = 0;
    const deferred = new DeferredExporter(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return inner;
    });
    expect(deferred.started).toBe(false);
    const results = await Promise.all([0, 1, 2].map(() => new Promise((resolve) => deferred.export([], resolve))));
    expect(calls).toBe(1);
    expect(results).toEqual([{ code: 0 }, { code: 0 }, { code: 0 }]);
    expect(deferred.started).toBe(true);
  });

  it("turns an exporter that throws from export() into a failed result", async () => {
    const throwing: SpanExporter = {
      export: () => {
        throw new Error("encoder broke");
      },
      shutdown: () => Promise.resolve(),
    };
    const deferred = new DeferredExporter(async () => throwing);
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => deferred.export([], resolve));
    expect(result.code).toBe(1);
    expect(result.error?.message).toBe("encoder broke");
  });

  it("waits for a pending creation before flushing and shutting down the real exporter", async () => {
    const order: string[] = [];
    const inner: SpanExporter = {
      export: (_spans, callback) => callback({ code: 0 }),
      forceFlush: async () => void order.push("flush"),
      shutdown: async () => void order.push("shutdown"),
    };
    const deferred = new DeferredExporter(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push("created");
      return inner;
    });
    deferred.export([], () => undefined);
    await deferred.forceFlush();
    await deferred.shutdown();
    expect(order).toEqual(["created", "flush", "shutdown"]);
  });
});
