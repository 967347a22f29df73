// The tracing setups under test. Each one is started in its own fresh process (global OpenTelemetry state is per
// process), from the app root whose node_modules it resolves against. `openai` is loaded with `require` after the
// setup has started, the way every one of these tools documents, so each instrumentation patches it on load.
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Every setup, in the order tables show them. */
export const SETUPS = {
  none: "no tracing",
  llmops: "llmops (arize platform)",
  "phoenix-otel": "@arizeai/phoenix-otel",
  openllmetry: "OpenLLMetry (@traceloop/node-server-sdk)",
  "otel-hand": "OpenTelemetry wired by hand",
  "llmops-register": "llmops, zero code (--import @llmops/platform-arize/register)",
  "llmops-spans": "llmops breakdown (a): instrumentation + spans, no export",
  "llmops-discard": "llmops breakdown (b): + batch processor, exporter discards",
};

/** B5's setups: a function wrapped by each tool's own tracing helper, spans ended into a discarding exporter. */
export const TRACE_SETUPS = {
  none: "untraced call",
  "llmops-off": "llmops trace(), tracing off (instrument() never called)",
  "llmops-trace": "llmops trace()",
  "phoenix-trace": "Phoenix traceChain() (@arizeai/openinference-core via phoenix-otel)",
  "openllmetry-trace": "OpenLLMetry withTask()",
};

const FLUSH_SAFETY_MILLIS = 120_000;
const BENCH_APP_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Calls `flush` and records how it settled and how long it took (never rejects; gives up after two minutes). */
async function timedFlush(flush) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  let timer;
  const safety = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ settled: "did-not-settle", millis: elapsed(), value: `no result after ${FLUSH_SAFETY_MILLIS} ms` }), FLUSH_SAFETY_MILLIS);
  });
  const outcome = Promise.resolve()
    .then(flush)
    .then(
      (value) => ({ settled: "resolved", millis: elapsed(), value: value ?? null }),
      (error) => ({ settled: "rejected", millis: elapsed(), value: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    );
  const result = await Promise.race([outcome, safety]);
  clearTimeout(timer);
  return result;
}

/** A span processor that counts ended spans and keeps nothing (breakdown a). */
function countingProcessor() {
  const processor = {
    ended: 0,
    onStart() {},
    onEnd() {
      processor.ended += 1;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return processor;
}

/** An exporter that counts what it is handed and reports success (breakdown b). */
function discardingExporter() {
  const exporter = {
    exported: 0,
    export(spans, resultCallback) {
      exporter.exported += spans.length;
      resultCallback({ code: 0 });
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return exporter;
}

const OPENAI_INSTRUMENTOR = { key: "openai", packageName: "@arizeai/openinference-instrumentation-openai", exportName: "OpenAIInstrumentation", moduleName: "openai" };

/** A platform defined with core's public API, with the arize platform's openai instrumentor and a custom end of pipeline. */
async function breakdownPlatform(name, build) {
  const v = await import("valibot");
  const { definePlatform, registerPlatform } = await import("@llmops/core");
  registerPlatform(
    definePlatform({
      name,
      configSection: name,
      packageName: "@llmops-internal/bench",
      schema: v.optional(v.object({}), {}),
      instrumentors: [OPENAI_INSTRUMENTOR],
      createTracerProvider: ({ assembleTracerProvider }) => build(assembleTracerProvider),
    }),
  );
}

/**
 * Starts tracing with setup `name`, exporting to the OTLP/HTTP sink at `url` (its base; `/v1/traces` is added).
 * Returns what the benchmark needs: `require` (from the app root), a tracer for direct spans, `flush()`, `shutdown()`,
 * `stats()` (llmops's own counts when core has them) and `localCount()` (breakdown setups: spans that reached the end).
 */
export async function startTracing(name, { url, appRoot, openaiModule }) {
  const require = createRequire(join(appRoot, "package.json"));
  const tracesUrl = `${url}/v1/traces`;
  const service = { name: "llmops-bench" };
  switch (name) {
    case "none": {
      return { require, tracer: undefined, flush: () => timedFlush(() => undefined), shutdown: () => Promise.resolve(), stats: () => undefined, localCount: () => undefined };
    }
    case "llmops":
    case "llmops-spans":
    case "llmops-discard": {
      let counter;
      if (name === "llmops-spans") {
        counter = countingProcessor();
        await breakdownPlatform(name, (assemble) => assemble({ spanProcessors: [counter] }));
      } else if (name === "llmops-discard") {
        counter = discardingExporter();
        await breakdownPlatform(name, (assemble) => assemble({ exporters: [counter], batch: true }));
      }
      const { getPlatform } = await import("@llmops/core");
      const platformName = name === "llmops" ? "arize" : name;
      // The default validation mode (permissive), as production runs it; the checks below stand in for strict mode's.
      const handle = await getPlatform(platformName, { appRoot }).instrument({
        appRoot,
        // The bench's package.json lists @opentelemetry/sdk-node (for the peers' setups); llmops is measured as an app
        // without an OpenTelemetry setup of its own runs it, with its provider registered globally.
        global: true,
        flushOnExit: false,
        config: { service, arize: { endpoint: url, project_name: "bench" } },
        // An ES module app hands in the module it imported, as the docs say.
        ...(openaiModule === undefined ? {} : { modules: { openai: openaiModule } }),
      });
      if (!handle.active) throw new Error(`llmops handle inactive: ${JSON.stringify(handle.issues)}`);
      const openaiReport = handle.instrumentations.find((report) => report.key === "openai");
      // The benchmark requires openai after this point: the instrumentor waits for it (the report turns to "instrumented" then).
      if (openaiReport?.status !== "instrumented" && openaiReport?.status !== "waiting") throw new Error(`openai not instrumented: ${JSON.stringify(openaiReport)}`);
      return {
        require,
        tracer: handle.tracerProvider.getTracer("llmops-bench"),
        flush: (timeoutMillis) => timedFlush(() => (timeoutMillis === undefined ? handle.forceFlush() : handle.forceFlush({ timeoutMillis }))),
        shutdown: () => handle.shutdown(),
        stats: () => (typeof handle.stats === "function" ? handle.stats() : undefined),
        localCount: () => (counter === undefined ? undefined : (counter.ended ?? counter.exported)),
      };
    }
    case "llmops-register": {
      // Started by --import @llmops/platform-arize/register (endpoint from PHOENIX_COLLECTOR_ENDPOINT): nothing to call.
      const { getActiveInstrumentation } = await import("@llmops/core");
      const handle = await getActiveInstrumentation();
      if (handle === undefined || !handle.active) throw new Error("llmops register: no active instrumentation");
      const openaiReport = handle.instrumentations.find((report) => report.key === "openai");
      if (openaiReport?.status !== "instrumented" && openaiReport?.status !== "waiting") throw new Error(`openai not instrumented: ${JSON.stringify(openaiReport)}`);
      return {
        require,
        tracer: handle.tracerProvider.getTracer("llmops-bench"),
        flush: () => timedFlush(() => handle.forceFlush()),
        shutdown: () => handle.shutdown(),
        stats: () => handle.stats(),
        localCount: () => undefined,
      };
    }
    case "phoenix-otel": {
      const { register } = await import("@arizeai/phoenix-otel");
      const { OpenAIInstrumentation } = await import("@arizeai/openinference-instrumentation-openai");
      const instrumentation = new OpenAIInstrumentation();
      // OpenInference's way for an ES module app: patch the module it imported.
      if (openaiModule !== undefined) instrumentation.manuallyInstrument(openaiModule);
      const provider = register({ projectName: "bench", url, batch: true, instrumentations: [instrumentation] });
      return {
        require,
        tracer: provider.getTracer("llmops-bench"),
        flush: () => timedFlush(() => provider.forceFlush()),
        shutdown: () => provider.shutdown(),
        stats: () => undefined,
        localCount: () => undefined,
      };
    }
    case "openllmetry": {
      const traceloop = await import("@traceloop/node-server-sdk");
      traceloop.initialize({
        appName: service.name,
        baseUrl: url,
        apiKey: "bench",
        disableBatch: false,
        traceloopSyncEnabled: false,
        silenceInitializationMessage: true,
        logLevel: "error",
        // OpenLLMetry's way for an ES module app: hand the client class in.
        ...(openaiModule === undefined ? {} : { instrumentModules: { openAI: openaiModule.default ?? openaiModule.OpenAI } }),
      });
      const { trace } = await import("@opentelemetry/api");
      return {
        require,
        tracer: trace.getTracer("llmops-bench"),
        flush: () => timedFlush(() => traceloop.forceFlush()),
        shutdown: () => traceloop.forceFlush(),
        stats: () => undefined,
        localCount: () => undefined,
      };
    }
    case "otel-hand": {
      const { NodeTracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-node");
      const { resourceFromAttributes } = await import("@opentelemetry/resources");
      const { OTLPTraceExporter } = await import("hand-wired-exporter-trace-otlp-proto");
      const { OpenAIInstrumentation } = await import("@arizeai/openinference-instrumentation-openai");
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ "service.name": service.name, "openinference.project.name": "bench" }),
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl }))],
      });
      provider.register();
      const instrumentation = new OpenAIInstrumentation();
      instrumentation.setTracerProvider(provider);
      if (openaiModule !== undefined) instrumentation.manuallyInstrument(openaiModule);
      return {
        require,
        tracer: provider.getTracer("llmops-bench"),
        flush: () => timedFlush(() => provider.forceFlush()),
        shutdown: () => provider.shutdown(),
        stats: () => undefined,
        localCount: () => undefined,
      };
    }
    default:
      throw new Error(`unknown setup ${name}; known: ${Object.keys(SETUPS).join(", ")}`);
  }
}

/**
 * Starts B5's setup `name`: every tracing setup ends its spans into the same kind of exporter, one that counts and
 * discards, behind the SDK's batch span processor with its default settings (each tool's own default processor), so
 * per-call cost is the wrapper, its span and the queue, not encoding or the network. The SDK's simple processor is
 * not used: it keeps one pending promise per span, and in a loop of calls that costs more than the span itself, the
 * same for every setup, which would hide the differences B5 is after. Returns `wrap(fn, name)` (the tool's own way of
 * tracing a function) and `spans()` (spans the exporter was handed; undefined when nothing traces).
 */
export async function startTraceSetup(name) {
  const service = { name: "llmops-bench" };
  switch (name) {
    case "none":
      return { wrap: (fn) => fn, spans: () => undefined, flush: () => Promise.resolve() };
    case "llmops-off": {
      const { trace } = await import("@llmops/core");
      return { wrap: (fn, spanName) => trace(fn, { name: spanName }), spans: () => undefined, flush: () => Promise.resolve() };
    }
    case "llmops-trace": {
      const counter = discardingExporter();
      await breakdownPlatform(name, (assemble) => assemble({ exporters: [counter], batch: true }));
      const { getPlatform, trace } = await import("@llmops/core");
      const handle = await getPlatform(name, { appRoot: BENCH_APP_ROOT }).instrument({ appRoot: BENCH_APP_ROOT, global: true, flushOnExit: false, config: { service } });
      if (!handle.active) throw new Error(`llmops handle inactive: ${JSON.stringify(handle.issues)}`);
      return { wrap: (fn, spanName) => trace(fn, { name: spanName }), spans: () => counter.exported, flush: () => handle.forceFlush() };
    }
    case "phoenix-trace": {
      const { register, traceChain } = await import("@arizeai/phoenix-otel");
      const { BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
      const counter = discardingExporter();
      const provider = register({ projectName: "bench", url: "http://127.0.0.1:9", batch: true, spanProcessors: [new BatchSpanProcessor(counter)] });
      return { wrap: (fn, spanName) => traceChain(fn, { name: spanName }), spans: () => counter.exported, flush: () => provider.forceFlush() };
    }
    case "openllmetry-trace": {
      const traceloop = await import("@traceloop/node-server-sdk");
      const counter = discardingExporter();
      traceloop.initialize({ appName: service.name, apiKey: "bench", exporter: counter, disableBatch: false, traceloopSyncEnabled: false, silenceInitializationMessage: true, logLevel: "error" });
      // withTask runs the function at once (it is not a wrapper): the traced function calls it each time.
      return {
        wrap:
          (fn, spanName) =>
          (...args) =>
            traceloop.withTask({ name: spanName }, fn, ...args),
        spans: () => counter.exported,
        flush: () => traceloop.forceFlush(),
      };
    }
    default:
      throw new Error(`unknown setup ${name}; known: ${Object.keys(TRACE_SETUPS).join(", ")}`);
  }
}
