/**
 * The OTLP/HTTP trace exporters of the OpenTelemetry JS SDK, built apart from the rest of the SDK (src/vendor/otel.ts)
 * into `dist/vendor/otel-exporters.cjs`. Core loads this module when it creates its exporter, at the first export, so an
 * app's start-up does not parse the exporters, their transformer and the protobuf and JSON encoders.
 */

/** The OTLP trace exporter class of one encoding: `protobuf` (OTLP/HTTP protobuf) or `json` (OTLP/HTTP JSON). */
export async function otlpTraceExporterClass(encoding: "protobuf" | "json"): Promise<new (config: never) => unknown> {
  // Each branch is a separate import so that the bundle runs only the exporter asked for.
  if (encoding === "json") return (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter as never;
  return (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter as never;
}
