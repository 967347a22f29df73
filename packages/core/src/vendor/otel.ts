/**
 * The parts of the OpenTelemetry JS SDK that core runs on, in one place. The build bundles this module, with the SDK
 * packages behind it, into `dist/vendor/otel.cjs`: the published packages then depend on `@opentelemetry/api` alone,
 * so that an app on another SDK line (with its own `@opentelemetry/api`) installs llmops without a peer conflict, and
 * start-up loads one file instead of a few hundred. Core loads this module lazily, inside `instrument()`.
 *
 * The OTLP exporters load at the first export (their code, with the transformer and the logs and metrics SDKs it
 * brings, is not run before then).
 */
export { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-node";
export { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
export { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";

/** The OTLP trace exporter class of one encoding: `protobuf` (OTLP/HTTP protobuf) or `json` (OTLP/HTTP JSON). */
export async function otlpTraceExporterClass(encoding: "protobuf" | "json"): Promise<new (config: never) => unknown> {
  // Each branch is a separate import so that the bundle keeps both exporters lazy.
  if (encoding === "json") return (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter as never;
  return (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter as never;
}
