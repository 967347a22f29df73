import { diag } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { getPlatform, registerPlatform } from "@llmops/core";
import type { ManagedTracerProvider, TracingStats } from "@llmops/core";
import { assembleTracerProvider } from "../src/provider/assemble";
import { defaultQueueBytes, estimateSpanBytes, resolveQueueLimit } from "../src/provider/export-queue";
import { FIRST_DROP_REPORT_DELAY_MILLIS } from "../src/provider/drop-report";
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
    // The line waits a moment, so that it counts the burst, not its first drop.
    expect(warnings(logs)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, FIRST_DROP_REPORT_DELAY_MILLIS + 50));
    expect(warnings(logs)).toEqual([expect.stringContaining("10 spans dropped in total for the test backend: its export queue was full (5 spans, OTEL_BSP_MAX_QUEUE_SIZE)")]);
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

  it("reports drops with the total: once for a burst, again at flush, shutdown and exit when it grew, never twice for one total", async () => {
    process.env.OTEL_BSP_MAX_QUEUE_SIZE = "2";
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "2";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "60000";
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
    try {
      const stats = new TracingStatsCollector();
      const backend = heldExporter();
      const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [backend.exporter], exportTarget: "the test backend" }, diag, stats);
      endSpans(provider, 5_000); // 2 exporting, 2 queued, 4,996 dropped in one burst
      jest.advanceTimersByTime(FIRST_DROP_REPORT_DELAY_MILLIS);
      expect(warnings(logs)).toEqual([expect.stringContaining("4996 spans dropped in total for the test backend")]);
      endSpans(provider, 5); // within 30 s: counted, not warned yet
      jest.advanceTimersByTime(10_000);
      expect(warnings(logs)).toHaveLength(1);
      // A flush says the new total; a second flush with no new drop says nothing.
      const flushed = provider.forceFlush();
      await new Promise((resolve) => setImmediate(resolve));
      backend.answer(0);
      await new Promise((resolve) => setImmediate(resolve));
      backend.answer(0);
      await flushed;
      expect(warnings(logs).slice(1)).toEqual([expect.stringContaining("5001 spans dropped in total")]);
      const again = provider.forceFlush();
      await new Promise((resolve) => setImmediate(resolve));
      backend.answer(0);
      await again;
      expect(warnings(logs)).toHaveLength(2);
      // More drops, then exit before any timer: the exit line has them.
      backend.answer(0);
      endSpans(provider, 10);
      const dropped = stats.snapshot().spansDroppedQueueFull;
      expect(dropped).toBeGreaterThan(5_001);
      process.emit("exit", 0);
      expect(warnings(logs).slice(2)).toEqual([expect.stringContaining(`${dropped} spans dropped in total`)]);
      expect(logs.text()).not.toMatch(/\b1 span dropped/);
      backend.recover();
      await provider.shutdown();
      // Shutdown removed the exit listener and had nothing new to say.
      process.emit("exit", 0);
      expect(warnings(logs)).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it("a 1,000,000-span burst into a backend that hangs: the queue holds what its memory bound allows, heap stays bounded, every drop counted", async () => {
    const stats = new TracingStatsCollector();
    const backend = heldExporter();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [backend.exporter], exportTarget: "the test backend" }, diag, stats, false, { queueMemoryMb: 16 });
    const tracer = provider.getTracer("burst");
    const attributes = { "llm.model_name": "gpt-4o-mini", "openinference.span.kind": "LLM", "output.value": "Hello! How can I help you today?" };
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    for (let index = 0; index < 1_000_000; index++) {
      tracer.startSpan("burst", { attributes }).end();
      if (index % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    const snapshot = stats.snapshot();
    expect(snapshot.spansEnded).toBe(1_000_000);
    expect(accountedFor(snapshot)).toBe(1_000_000);
    // 16 MB holds some 18,000 of these spans: far more than a span-count queue of 2,048, far fewer than the burst.
    expect(snapshot.spansPending).toBeGreaterThan(10_000);
    expect(snapshot.spansPending).toBeLessThan(40_000);
    expect(snapshot.spansDroppedQueueFull).toBe(1_000_000 - snapshot.spansPending);
    // Garbage of the dropped spans included (on a busy machine the collector runs late, so the peak holds more of it):
    // well under what the burst would take if it were all kept (~1 GB), whatever the load.
    expect(peak).toBeLessThan(400 * 1024 * 1024);
    backend.recover();
    await provider.shutdown();
  }, 60_000);

  it("a 50,000-span burst within the default memory budget is delivered whole, the batches exported several at a time", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let exported = 0;
    const exporter: SpanExporter = {
      export: (spans, callback) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        setTimeout(() => {
          concurrent--;
          exported += spans.length;
          callback({ code: 0 });
        }, 2);
      },
      shutdown: () => Promise.resolve(),
    };
    const stats = new TracingStatsCollector();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [exporter], exportTarget: "the test backend" }, diag, stats);
    endSpans(provider, 50_000);
    await provider.forceFlush();
    expect(stats.snapshot()).toEqual(expect.objectContaining({ spansEnded: 50_000, spansExported: 50_000, spansDroppedQueueFull: 0, spansPending: 0 }));
    expect(exported).toBe(50_000);
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(maxConcurrent).toBeLessThanOrEqual(4);
    expect(warnings(logs)).toEqual([]);
    await provider.shutdown();
  }, 60_000);

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

  it("bounds the queue by memory unless OTEL_BSP_MAX_QUEUE_SIZE is set, which is read as the SDK reads it", () => {
    expect(resolveQueueLimit(undefined, {})).toEqual(
      expect.objectContaining({ maxBytes: defaultQueueBytes(), description: `${Math.round(defaultQueueBytes() / 1024 / 1024)} MB of spans, the default` }),
    );
    expect(resolveQueueLimit(undefined, {}).maxSpans).toBeUndefined();
    expect(resolveQueueLimit(undefined, { OTEL_BSP_MAX_QUEUE_SIZE: " 100 " })).toEqual(expect.objectContaining({ maxSpans: 100 }));
    expect(resolveQueueLimit(undefined, { OTEL_BSP_MAX_QUEUE_SIZE: " 100 " }).maxBytes).toBeUndefined();
    expect(resolveQueueLimit(undefined, { OTEL_BSP_MAX_QUEUE_SIZE: "" }).maxSpans).toBeUndefined();
    expect(resolveQueueLimit(undefined, { OTEL_BSP_MAX_QUEUE_SIZE: "lots" }).maxSpans).toBeUndefined();
    expect(resolveQueueLimit(32, { OTEL_BSP_MAX_QUEUE_SIZE: "100" })).toEqual(expect.objectContaining({ maxSpans: 100, maxBytes: 32 * 1024 * 1024 }));
    // An eighth of the heap limit, at most 256 MB.
    expect(defaultQueueBytes(4096 * 1024 * 1024)).toBe(256 * 1024 * 1024);
    expect(defaultQueueBytes(512 * 1024 * 1024)).toBe(64 * 1024 * 1024);
  });

  it("estimates a span's memory from its attributes, within reach of what it holds", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [exporter], batch: false }, diag);
    const tracer = provider.getTracer("t");
    tracer.startSpan("small").end();
    tracer.startSpan("large", { attributes: { "input.value": "x".repeat(100_000), "llm.token_count.total": 3 } }).end();
    const [small, large] = exporter.getFinishedSpans();
    expect(estimateSpanBytes(small!)).toBeGreaterThan(500);
    expect(estimateSpanBytes(small!)).toBeLessThan(1_500);
    expect(estimateSpanBytes(large!)).toBeGreaterThan(100_000);
    expect(estimateSpanBytes(large!)).toBeLessThan(102_000);
    await provider.shutdown();
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
