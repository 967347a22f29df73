import { diag, ROOT_CONTEXT, trace as otelTrace, TraceFlags, SpanStatusCode } from "@opentelemetry/api";
import type { Tracer } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { getPlatform, registerPlatform, trace } from "@llmops/core";
import type { InstrumentationHandle } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { chooseRatio } from "../src/provider/sampling";
import { assembleTracerProvider } from "../src/provider/assemble";
import { TracingStatsCollector } from "../src/provider/tracing-stats";
import { memoryPlatform } from "./helpers";

const appRoot = createTempApp({ manifest: { name: "sampling-app" } });
let logs: CapturedLogs;
const handles: InstrumentationHandle[] = [];

async function start(
  config: Record<string, unknown> = {},
  env: Record<string, string> = {},
  name = "memory",
  global = false,
): Promise<{ tracing: InstrumentationHandle; exporter: InMemorySpanExporter; tracer: Tracer }> {
  const memory = memoryPlatform({ name });
  registerPlatform(memory.platform);
  // Not global unless asked: trace() records through the global provider only.
  const tracing = await getPlatform(name).instrument({ appRoot, env, flushOnExit: false, ...(global ? {} : { global }), config: { service: { name: "sampled" }, ...config } });
  handles.push(tracing);
  return { tracing, exporter: memory.exporter, tracer: tracing.tracerProvider.getTracer("sampling-test") };
}

/** A trace of a root and two children, ended children first. */
function threeSpanTrace(tracer: Tracer, name: string, options: { error?: boolean; rootMillis?: number } = {}): string {
  const startTime = Date.now();
  const root = tracer.startSpan(name, { startTime });
  const inside = otelTrace.setSpan(ROOT_CONTEXT, root);
  for (const step of ["a", "b"]) {
    const child = tracer.startSpan(`${name}/${step}`, {}, inside);
    if (options.error === true && step === "b") child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
    child.end();
  }
  root.end(startTime + (options.rootMillis ?? 1));
  return root.spanContext().traceId;
}

function byTrace(spans: readonly ReadableSpan[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const span of spans) counts.set(span.spanContext().traceId, (counts.get(span.spanContext().traceId) ?? 0) + 1);
  return counts;
}

const warnings = (): string[] => logs.messages.filter((message) => message.startsWith("warn "));

beforeEach(() => {
  resetProcessState();
  logs = captureDiag();
});
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.shutdown();
  logs.restore();
});

describe("sampling.ratio", () => {
  it("keeps or drops each trace whole, about the ratio asked for, and counts the dropped spans as sampled out, not as ended", async () => {
    const { tracing, exporter, tracer } = await start({ sampling: { ratio: 0.25 } });
    for (let index = 0; index < 400; index++) threeSpanTrace(tracer, `t${index}`);
    await tracing.forceFlush();
    const kept = byTrace(exporter.getFinishedSpans());
    expect([...kept.values()].every((count) => count === 3)).toBe(true);
    // 400 traces at 0.25: 100 expected; the bounds are far beyond chance (binomial sd ≈ 8.7).
    expect(kept.size).toBeGreaterThan(50);
    expect(kept.size).toBeLessThan(150);
    const stats = tracing.stats();
    expect(stats.spansEnded).toBe(kept.size * 3);
    expect(stats.spansSampledOut).toBe((400 - kept.size) * 3);
    expect(stats.spansDroppedQueueFull + stats.spansDroppedAfterShutdown + stats.spansFailedExport).toBe(0);
  });

  it("decides by trace id and follows the propagated decision in another process, so a trace is kept or dropped whole across them", async () => {
    const upstream = await start({ sampling: { ratio: 0.5 } }, {}, "upstream");
    // Another process: its own provider, assembled the same way (one instrument() runs per process).
    const downstreamExporter = new InMemorySpanExporter();
    const downstreamProvider = await assembleTracerProvider({ name: "downstream" }, { exporters: [downstreamExporter], batch: false }, diag, new TracingStatsCollector(), false, {
      policies: { sampling: { ratio: 0.5 }, env: {} },
    });
    const downstream = { tracer: downstreamProvider.getTracer("downstream"), exporter: downstreamExporter };
    // W3C trace context, as an HTTP client and server carry it: `traceparent: 00-<trace id>-<span id>-<flags>`.
    const headers: string[] = [];
    for (let index = 0; index < 100; index++) {
      const root = upstream.tracer.startSpan(`call-${index}`);
      const { traceId, spanId, traceFlags } = root.spanContext();
      headers.push(`00-${traceId}-${spanId}-0${traceFlags}`);
      root.end();
    }
    for (const header of headers) {
      const [, traceId = "", spanId = "", flags = "00"] = header.split("-");
      const remote = otelTrace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true });
      downstream.tracer.startSpan("handler", {}, remote).end();
    }
    await upstream.tracing.forceFlush();
    await downstreamProvider.forceFlush();
    const keptUp = new Set(upstream.exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
    const keptDown = new Set(downstream.exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
    expect(keptUp.size).toBeGreaterThan(20);
    expect(keptUp.size).toBeLessThan(80);
    expect([...keptDown].sort()).toEqual([...keptUp].sort());
    await downstreamProvider.shutdown();
  });

  it("keeps everything by default, and drops everything at ratio 0", async () => {
    const all = await start();
    for (let index = 0; index < 20; index++) threeSpanTrace(all.tracer, `t${index}`);
    await all.tracing.forceFlush();
    expect(all.exporter.getFinishedSpans()).toHaveLength(60);
    expect(all.tracing.stats().spansSampledOut).toBe(0);
    await all.tracing.shutdown();
    const none = await start({ sampling: { ratio: 0 } }, {}, "none");
    for (let index = 0; index < 20; index++) threeSpanTrace(none.tracer, `t${index}`);
    await none.tracing.forceFlush();
    expect(none.exporter.getFinishedSpans()).toHaveLength(0);
    expect(none.tracing.stats()).toEqual(expect.objectContaining({ spansEnded: 0, spansSampledOut: 60 }));
  });
});

describe("keep rules", () => {
  it("keeps every trace with an error whole, however low the ratio, and drops the others", async () => {
    const { tracing, exporter, tracer } = await start({ sampling: { ratio: 0, keep_errors: true } });
    const failing = threeSpanTrace(tracer, "failing", { error: true });
    threeSpanTrace(tracer, "fine");
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name).sort()).toEqual(["failing", "failing/a", "failing/b"]);
    expect(spans.every((span) => span.spanContext().traceId === failing && (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0)).toBe(true);
    expect(tracing.stats()).toEqual(expect.objectContaining({ spansEnded: 3, spansSampledOut: 3 }));
  });

  it("keeps a trace in which trace() recorded an error, though the agent recovered from it", async () => {
    const { tracing, exporter } = await start({ sampling: { ratio: 0, keep_errors: true } }, {}, "memory", true);
    const tool = trace(
      () => {
        throw new Error("tool failed");
      },
      { name: "tool", kind: "tool" },
    );
    const agent = trace(
      (fail: boolean) => {
        try {
          if (fail) tool();
        } catch {
          // recovered
        }
        return "done";
      },
      { name: "agent", kind: "agent" },
    );
    agent(true);
    agent(false);
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["tool", "agent"]);
    expect(tracing.stats().spansSampledOut).toBe(1);
  });

  it("with a ratio and a rule together: every failing trace and about the ratio of the others, each whole", async () => {
    const { tracing, exporter, tracer } = await start({ sampling: { ratio: 0.5, keep_errors: true } });
    const failing = new Set<string>();
    for (let index = 0; index < 200; index++) {
      const traceId = threeSpanTrace(tracer, `t${index}`, { error: index % 4 === 0 });
      if (index % 4 === 0) failing.add(traceId);
    }
    await tracing.forceFlush();
    const kept = byTrace(exporter.getFinishedSpans());
    expect([...kept.values()].every((count) => count === 3)).toBe(true);
    for (const traceId of failing) expect(kept.get(traceId)).toBe(3);
    const others = [...kept.keys()].filter((traceId) => !failing.has(traceId)).length;
    // 150 traces without an error at 0.5: 75 expected (sd ≈ 6).
    expect(others).toBeGreaterThan(45);
    expect(others).toBeLessThan(105);
    expect(tracing.stats()).toEqual(expect.objectContaining({ spansEnded: kept.size * 3, spansSampledOut: (200 - kept.size) * 3 }));
  });

  it("keeps every trace whose local root lasted keep_slower_than_ms or more", async () => {
    const { tracing, exporter, tracer } = await start({ sampling: { ratio: 0, keep_slower_than_ms: 2_000 } });
    threeSpanTrace(tracer, "slow", { rootMillis: 2_500 });
    threeSpanTrace(tracer, "quick", { rootMillis: 10 });
    threeSpanTrace(tracer, "failing-but-quick", { error: true, rootMillis: 10 });
    await tracing.forceFlush();
    expect(
      exporter
        .getFinishedSpans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(["slow", "slow/a", "slow/b"]);
    expect(tracing.stats().spansSampledOut).toBe(6);
  });

  it("passes traces the ratio keeps straight on, and follows a decision for spans that end after their root", async () => {
    const { tracing, exporter, tracer } = await start({ sampling: { ratio: 0, keep_errors: true } });
    const root = tracer.startSpan("root");
    const late = tracer.startSpan("late", {}, otelTrace.setSpan(ROOT_CONTEXT, root));
    root.setStatus({ code: SpanStatusCode.ERROR });
    root.end();
    late.end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["root", "late"]);
  });

  it("holds at most max_buffered_spans for traces whose root has not ended, deciding the oldest early", async () => {
    const { tracing, exporter, tracer } = await start({ sampling: { ratio: 0, keep_errors: true, max_buffered_spans: 10 } });
    const roots = [];
    for (let index = 0; index < 50; index++) {
      const root = tracer.startSpan(`open-${index}`);
      roots.push(root);
      const child = tracer.startSpan(`child-${index}`, {}, otelTrace.setSpan(ROOT_CONTEXT, root));
      if (index === 0) child.setStatus({ code: SpanStatusCode.ERROR });
      child.end();
    }
    await tracing.forceFlush();
    // 40 traces were decided early: the one with an error kept, 39 spans sampled out; 10 are still held.
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["child-0"]);
    expect(tracing.stats().spansSampledOut).toBe(39);
    roots[0]?.end(); // follows its trace's decision: kept
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["child-0", "open-0"]);
  });
});

describe("OTEL_TRACES_SAMPLER and the precedence", () => {
  const env = (sampler: string, arg?: string) => ({ OTEL_TRACES_SAMPLER: sampler, ...(arg === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: arg }) });

  it("reads the standard samplers when sampling.ratio is not set", () => {
    expect(chooseRatio(undefined, env("parentbased_traceidratio", "0.2"), diag)).toEqual({ ratio: 0.2, parentBased: true, source: "OTEL_TRACES_SAMPLER" });
    expect(chooseRatio({}, env("traceidratio", "0.3"), diag)).toEqual({ ratio: 0.3, parentBased: false, source: "OTEL_TRACES_SAMPLER" });
    expect(chooseRatio(undefined, env("always_off"), diag)).toEqual({ ratio: 0, parentBased: false, source: "OTEL_TRACES_SAMPLER" });
    expect(chooseRatio(undefined, env("parentbased_always_on"), diag)).toEqual({ ratio: 1, parentBased: true, source: "OTEL_TRACES_SAMPLER" });
    expect(chooseRatio(undefined, {}, diag)).toEqual({ ratio: 1, parentBased: true, source: "default" });
  });

  it("lets sampling.ratio win over OTEL_TRACES_SAMPLER, and says so", () => {
    expect(chooseRatio({ ratio: 0.1 }, env("always_on"), diag)).toEqual({ ratio: 0.1, parentBased: true, source: "sampling.ratio" });
    expect(warnings()).toEqual([expect.stringContaining("OTEL_TRACES_SAMPLER is set and not used: sampling.ratio (0.1)")]);
  });

  it("warns about an unknown sampler or a bad argument and keeps every trace", () => {
    expect(chooseRatio(undefined, env("jaeger_remote"), diag).ratio).toBe(1);
    expect(chooseRatio(undefined, env("traceidratio", "half"), diag).ratio).toBe(1);
    expect(warnings()).toEqual([expect.stringContaining("OTEL_TRACES_SAMPLER=jaeger_remote is not one llmops applies"), expect.stringContaining("OTEL_TRACES_SAMPLER_ARG must be a number")]);
  });

  it("applies OTEL_TRACES_SAMPLER through instrument(), LLMOPS_SAMPLING_RATIO over the config file's ratio", async () => {
    const fromEnv = await start({}, env("always_off"));
    threeSpanTrace(fromEnv.tracer, "t");
    await fromEnv.tracing.forceFlush();
    expect(fromEnv.exporter.getFinishedSpans()).toHaveLength(0);
    await fromEnv.tracing.shutdown();
    const overridden = await start({ sampling: { ratio: 1 } }, { LLMOPS_SAMPLING_RATIO: "0" }, "overridden");
    threeSpanTrace(overridden.tracer, "t");
    await overridden.tracing.forceFlush();
    expect(overridden.exporter.getFinishedSpans()).toHaveLength(0);
    expect(overridden.tracing.stats().spansSampledOut).toBe(3);
  });

  it("rejects a ratio outside 0..1 in strict mode", async () => {
    const memory = memoryPlatform({ name: "strict" });
    registerPlatform(memory.platform);
    await expect(
      getPlatform("strict").instrument({ appRoot, env: { LLMOPS_SAMPLING_RATIO: "1.5" }, flushOnExit: false, global: false, validationMode: "strict", config: { service: { name: "s" } } }),
    ).rejects.toThrow(/sampling\.ratio/);
  });
});
