import { diag } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ReportingExporter } from "../src/provider/reporting-exporter";
import { TracingStatsCollector } from "../src/provider/tracing-stats";
import { assembleTracerProvider } from "../src/provider/assemble";
import { liveHandle } from "../src/pipeline/handle";
import { captureDiag } from "@llmops-internal/test-support";

function scripted(results: Array<{ code: number; error?: Error } | "throw">): SpanExporter {
  return {
    export(_spans, callback) {
      const next = results.shift() ?? { code: 0 };
      if (next === "throw") throw new Error("exporter blew up");
      callback(next);
    },
    shutdown: () => Promise.resolve(),
  };
}

const spans = (count: number): ReadableSpan[] => Array.from({ length: count }, () => ({}) as ReadableSpan);

describe("ReportingExporter", () => {
  it("counts delivered and dropped spans, warns once per failure streak with the running count, and logs the recovery", () => {
    const logs = captureDiag();
    const exporter = new ReportingExporter(
      scripted([{ code: 1, error: new Error("connect ECONNREFUSED 127.0.0.1:1") }, { code: 1, error: new Error("again") }, { code: 0 }, "throw"]),
      diag,
      "Phoenix at http://127.0.0.1:1/v1/traces",
      (error) => (error?.message.includes("ECONNREFUSED") ? "Is the collector running?" : undefined),
    );
    const results: number[] = [];
    for (const count of [3, 2, 4, 5]) exporter.export(spans(count), (result) => results.push(result.code));
    expect(results).toEqual([1, 1, 0, 1]);
    expect(exporter.counts()).toEqual({ exported: 4, dropped: 10 });
    const warnings = logs.messages.filter((message) => message.startsWith("warn"));
    expect(warnings).toEqual([
      expect.stringContaining("Export to Phoenix at http://127.0.0.1:1/v1/traces failed (connect ECONNREFUSED 127.0.0.1:1); 3 spans dropped, 3 so far."),
      expect.stringContaining("(exporter blew up); 5 spans dropped, 10 so far."),
    ]);
    expect(warnings[0]).toContain("Is the collector running?");
    expect(logs.messages).toContainEqual(expect.stringContaining("recovered; 5 spans were dropped while it failed"));
    logs.restore();
  });
});

describe("ReportingExporter deadline and abandon", () => {
  /** An exporter whose backend never answers; `answer` lets a test play a late answer. */
  function silent(): SpanExporter & { answer: (code: number) => void } {
    const callbacks: Array<(result: { code: number }) => void> = [];
    return {
      export: (_spans, callback) => void callbacks.push(callback),
      shutdown: () => Promise.resolve(),
      answer: (code) => {
        for (const callback of callbacks.splice(0)) callback({ code });
      },
    };
  }

  it("settles an export the backend never answers as failed at its deadline, counted and warned, and ignores a late answer", async () => {
    const logs = captureDiag();
    const counters = new TracingStatsCollector().addPipeline();
    const inner = silent();
    const exporter = new ReportingExporter(inner, diag, "the backend", undefined, counters, 200);
    const results: Array<{ code: number }> = [];
    counters.ended = counters.forwarded = 3;
    exporter.export(spans(3), (result) => results.push(result));
    expect(results).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Handed back as done (the failure lives in the counts), so a flush waiting for it ends.
    expect(results).toEqual([{ code: 0 }]);
    expect({ failed: counters.failed, lastError: counters.lastError }).toEqual({ failed: 3, lastError: expect.stringContaining("no complete answer within 200 ms, the export deadline") });
    expect(logs.messages).toContainEqual(expect.stringContaining("Export to the backend failed (no complete answer within 200 ms"));
    inner.answer(0);
    expect(results).toHaveLength(1);
    expect(counters.exported).toBe(0);
    logs.restore();
  });

  it("abandon() settles every export in flight as failed, quietly, and says how many spans it gave up", () => {
    const logs = captureDiag();
    const collector = new TracingStatsCollector();
    const counters = collector.addPipeline();
    const exporter = new ReportingExporter(silent(), diag, "the backend", undefined, counters, 60_000);
    const results: number[] = [];
    counters.ended = counters.forwarded = 5;
    exporter.export(spans(2), (result) => results.push(result.code));
    exporter.export(spans(3), (result) => results.push(result.code));
    expect(collector.snapshot().spansPending).toBe(5);
    expect(collector.abandonInFlight("abandoned at exit: test")).toBe(5);
    expect(results).toEqual([0, 0]);
    expect(collector.snapshot()).toEqual(expect.objectContaining({ spansFailedExport: 5, spansPending: 0, lastExportError: "abandoned at exit: test" }));
    expect(logs.messages.filter((message) => message.startsWith("warn"))).toEqual([]);
    expect(collector.abandonInFlight("again")).toBe(0);
    logs.restore();
  });

  it("shutdown() at its bound gives up on the exports in flight: counted as failed, none left pending", async () => {
    const collector = new TracingStatsCollector();
    const never: SpanExporter = { export: () => {}, shutdown: () => new Promise(() => {}) };
    const provider = await assembleTracerProvider({ name: "svc" }, { exporters: [never], batch: false, exportTimeoutMillis: 60_000 }, diag, collector);
    const handle = liveHandle({
      platform: "test",
      provider,
      instrumentations: [],
      configFile: undefined,
      onShutdown: () => {},
      stats: () => collector.snapshot(),
      abandon: (reason) => collector.abandonInFlight(reason),
    });
    for (let index = 0; index < 2; index++) provider.getTracer("t").startSpan(`s${index}`).end();
    const result = await handle.shutdown({ timeoutMillis: 300 });
    expect(result).toEqual(expect.objectContaining({ ok: false, timedOut: true }));
    expect(result.stats).toEqual(expect.objectContaining({ spansEnded: 2, spansFailedExport: 2, spansPending: 0, lastExportError: "abandoned at shutdown: it did not finish within 300 ms" }));
  });
});
