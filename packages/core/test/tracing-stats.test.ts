import { diag } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { getPlatform, registerPlatform } from "@llmops/core";
import type { ManagedTracerProvider, TracingStats } from "@llmops/core";
import { assembleTracerProvider, maxQueueSizeFromEnv } from "../src/provider/assemble";
import { TracingStatsCollector } from "../src/provider/tracing-stats";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";
import type { CapturedLogs } from "@llmops-internal/test-support";

type Callback = (result: { code: number; error?: Error }) => void;

/** An exporter whose exports wait until the test answers them: a backend that hangs, then recovers or fails. */
function heldExporter() {
  const held: Array<{ spans: ReadableSpan[]; callback: Callback }> = [];
  let answerAtOnce = false;
  const exporter: SpanExporter = {
    export: (spans, callback) => (answerAtOnce ? callback({ code: 0 }) : void held.push({ spans, callback })),
    shutdown: () => Promise.resolve(),
  };
  /** The backend recovers for good. */
  const recover = (): void => {
    answerAtOnce = true;
    answer(0);
  };
  const answer = (code: number): number => {
    let count = 0;
    for (const { spans, callback } of held.splice(0)) {
      count += spans.length;
      callback(code === 0 ? { code } : { code, error: new Error("backend said no") });
    }
    return count;
  };
  return { exporter, held, answer, recover };
}

/** The invariant stats() promises: every span ended is in exactly one of the other counts. */
function accountedFor(stats: TracingStats): number {
  return stats.spansExported + stats.spansFailedExport + stats.spansDroppedQueueFull + stats.spansDroppedAfterShutdown + stats.spansPending;
}

function endSpans(provider: ManagedTracerProvider, count: number, prefix = "span"): void {
  const tracer = provider.getTracer("stats-test");
  for (let index = 0; index < count; index++) tracer.startSpan(`${prefix}-${index}`).end();
}

const warnings = (logs: CapturedLogs): string[] => logs.messages.filter((message) => message.startsWith("warn"));

describe("span accounting (stats)", () => {
  let logs: CapturedLogs;
  const savedEnv = { ...process.env };
  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });
  afterEach(() => {
    process.env = { ...savedEnv };
    logs.restore();
    jest.restoreAllMocks();
  });

  it("counts queue-full drops instead of letting the batch processor drop silently, warns once with the fix, and accounts for every span", async () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = "5";
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "5";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "60000";
    const stats = new TracingStatsCollector();
    const backend = heldExporter();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [backend.exporter], exportTarget: "the test backend" }, diag, stats);
    // The queue (5) fills, one batch of 5 goes to the hanging export, the next 5 wait, the other 10 cannot be queued.
    expect(() => endSpans(provider, 20)).not.toThrow();
    expect(stats.snapshot()).toEqual({
      spansEnded: 20,
      spansExported: 0,
      spansFailedExport: 0,
      spansDroppedQueueFull: 10,
      spansDroppedAfterShutdown: 0,
      spansPending: 10,
      spansSampledOut: 0,
      unpricedModels: {},
    });
    expect(warnings(logs)).toEqual([expect.stringContaining("The export queue for the test backend is full (5 spans): 1 span dropped so far")]);
    expect(warnings(logs)[0]).toContain("raise OTEL_BSP_MAX_QUEUE_SIZE");
    // The SDK's own drop message never appears: it never had to drop.
    expect(logs.text()).not.toContain("maxQueueSize reached");

    // The backend comes back: everything that was queued is delivered.
    expect(backend.answer(0)).toBe(5);
    const flushed = provider.forceFlush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(backend.answer(0)).toBe(5);
    await flushed;
    const after = stats.snapshot();
    expect(after).toEqual(expect.objectContaining({ spansEnded: 20, spansExported: 10, spansDroppedQueueFull: 10, spansPending: 0 }));
    expect(accountedFor(after)).toBe(after.spansEnded);
    await provider.shutdown();
  });

  it("repeats the queue-full warning at most every 30 s, with the running count", async () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = "2";
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "2";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "60000";
    let now = 1_000_000;
    jest.spyOn(Date, "now").mockImplementation(() => now);
    const stats = new TracingStatsCollector();
    const backend = heldExporter();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [backend.exporter], exportTarget: "the test backend" }, diag, stats);
    endSpans(provider, 10); // 2 exporting, 2 queued, 6 dropped
    now += 10_000;
    endSpans(provider, 5); // within 30 s: counted, not warned again
    now += 30_000;
    endSpans(provider, 1);
    expect(stats.snapshot().spansDroppedQueueFull).toBe(12);
    expect(warnings(logs)).toEqual([expect.stringContaining("1 span dropped so far"), expect.stringContaining("12 spans dropped so far")]);
    backend.recover();
    await provider.shutdown();
  });

  it("counts failed exports and an exporter that throws as failed, never throwing into the app", async () => {
    let calls = 0;
    const exporter: SpanExporter = {
      export(_spans, callback) {
        calls++;
        if (calls === 1) throw new Error("exporter blew up");
        callback({ code: 1, error: new Error("HTTP 500") });
      },
      shutdown: () => Promise.resolve(),
    };
    const stats = new TracingStatsCollector();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [exporter], batch: false, exportTarget: "the test backend" }, diag, stats);
    expect(() => endSpans(provider, 3)).not.toThrow();
    await provider.forceFlush().catch(() => {});
    expect(stats.snapshot()).toEqual(expect.objectContaining({ spansEnded: 3, spansExported: 0, spansFailedExport: 3, spansPending: 0 }));
    expect(logs.text()).toContain("Export to the test backend failed (exporter blew up)");
  });

  it("counts spans that end after shutdown and warns once", async () => {
    const stats = new TracingStatsCollector();
    const exporter = new InMemorySpanExporter();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [exporter], exportTarget: "the test backend" }, diag, stats);
    const span = provider.getTracer("t").startSpan("late");
    const other = provider.getTracer("t").startSpan("later");
    endSpans(provider, 2);
    await provider.shutdown();
    span.end();
    other.end();
    expect(stats.snapshot()).toEqual(expect.objectContaining({ spansEnded: 4, spansExported: 2, spansDroppedAfterShutdown: 2, spansPending: 0 }));
    expect(warnings(logs).filter((message) => message.includes("after shutdown()"))).toHaveLength(1);
  });

  it("contains a platform processor that throws, and counts through a platform's own processor", async () => {
    const stats = new TracingStatsCollector();
    const seen: string[] = [];
    const createSpanProcessor = (exporter: SpanExporter): SpanProcessor => ({
      onStart: () => {},
      onEnd: (span) => {
        seen.push(span.name);
        if (span.name.startsWith("bad")) throw new Error("processor bug");
        exporter.export([span], () => {});
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    });
    const exporter = new InMemorySpanExporter();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [exporter], createSpanProcessor, exportTarget: "the test backend" }, diag, stats);
    expect(() => {
      endSpans(provider, 2, "good");
      endSpans(provider, 1, "bad");
    }).not.toThrow();
    expect(seen).toEqual(["good-0", "good-1", "bad-0"]);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the in-memory exporter answers on a timer
    expect(stats.snapshot()).toEqual(expect.objectContaining({ spansEnded: 3, spansExported: 2, spansFailedExport: 1, spansPending: 0 }));
    expect(logs.text()).toContain("The span processor for the test backend threw (processor bug)");
  });

  it("reads OTEL_BSP_MAX_QUEUE_SIZE as the SDK does", () => {
    expect(maxQueueSizeFromEnv({})).toBe(2048);
    expect(maxQueueSizeFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: " 100 " })).toBe(100);
    expect(maxQueueSizeFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: "" })).toBe(2048);
    expect(maxQueueSizeFromEnv({ OTEL_BSP_MAX_QUEUE_SIZE: "lots" })).toBe(2048);
  });
});

describe("handle.stats() and the flush report", () => {
  const appRoot = createTempApp({ manifest: { name: "stats-app" } });
  let logs: CapturedLogs;
  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });
  afterEach(() => logs.restore());

  it("reports the counts on the handle and in forceFlush()'s result; zeros on the no-op handle", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "svc" } } });
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 3);
    const result = await tracing.forceFlush();
    expect(result).toEqual({ ok: true, timedOut: false, stats: expect.objectContaining({ spansEnded: 3, spansExported: 3, spansPending: 0 }) });
    expect(tracing.stats()).toEqual(result.stats);
    await tracing.shutdown();

    resetProcessState();
    registerPlatform(platform);
    const off = await getPlatform("memory").instrument({ appRoot, env: { OTEL_SDK_DISABLED: "true" }, flushOnExit: false });
    expect(off.active).toBe(false);
    expect(off.stats()).toEqual({
      spansEnded: 0,
      spansExported: 0,
      spansFailedExport: 0,
      spansDroppedQueueFull: 0,
      spansDroppedAfterShutdown: 0,
      spansPending: 0,
      spansSampledOut: 0,
      unpricedModels: {},
    });
  });

  it("reports spans whose export failed during a flush or shutdown, with the last error, though the processor finished", async () => {
    const backend = heldExporter();
    const { platform } = memoryPlatform();
    registerPlatform({ ...platform, createTracerProvider: ({ assembleTracerProvider: assemble }) => assemble({ exporters: [backend.exporter], batch: true }) });
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "svc" } } });
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 3);
    const shutdown = tracing.shutdown({ timeoutMillis: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.answer(1)).toBe(3);
    expect(await shutdown).toEqual({
      ok: false,
      timedOut: false,
      error: "3 spans were not delivered; last error: backend said no",
      stats: expect.objectContaining({ spansEnded: 3, spansFailedExport: 3, spansPending: 0, lastExportError: "backend said no" }),
    });
  });

  it("resolves a timed-out flush with the spans still pending", async () => {
    const backend = heldExporter();
    const { platform } = memoryPlatform();
    registerPlatform({ ...platform, createTracerProvider: ({ assembleTracerProvider: assemble }) => assemble({ exporters: [backend.exporter], batch: true }) });
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "svc" } } });
    endSpans(tracing.tracerProvider as ManagedTracerProvider, 4);
    const result = await tracing.forceFlush({ timeoutMillis: 100 });
    expect(result).toEqual({ ok: false, timedOut: true, error: "did not finish within 100 ms", stats: expect.objectContaining({ spansEnded: 4, spansPending: 4 }) });
    backend.answer(1);
    expect(tracing.stats()).toEqual(expect.objectContaining({ spansEnded: 4, spansFailedExport: 4, spansPending: 0 }));
  });
});
