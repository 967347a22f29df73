/**
 * The parts of the OpenTelemetry JS SDK that core runs on, in one place. The build bundles this module, with the SDK
 * packages behind it, into `dist/vendor/otel.cjs`: the published packages then depend on `@opentelemetry/api` alone,
 * so that an app on another SDK line (with its own `@opentelemetry/api`) installs llmops without a peer conflict, and
 * start-up loads one file instead of a few hundred. Core loads this module lazily, inside `instrument()`.
 *
 * The OTLP exporters are built apart, into `dist/vendor/otel-exporters.cjs` (src/vendor/otel-exporters.ts), and load at
 * the first export: their code is not even parsed while the app starts.
 */
export { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-node";
export { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
export { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
