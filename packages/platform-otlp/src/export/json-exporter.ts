import type { SpanExporterFactory } from "@llmops/core";
import { constructWithoutOtlpEnvironment, exportHttpAgent } from "@llmops/core/otlp";
import type { OtlpHttpExporterOptions } from "@llmops/core/otlp";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";

/**
 * The OTLP/HTTP JSON exporter factory (`protocol: http/json`): the same settings and HTTP agent as the kit's protobuf
 * exporter (every setting explicit, none from `OTEL_EXPORTER_OTLP_*`, connections ended at core's export deadline),
 * with OpenTelemetry's JSON exporter. The exporter module loads when core calls the factory.
 */
export function otlpJsonExporter(options: OtlpHttpExporterOptions): SpanExporterFactory {
  const headers = typeof options.headers === "function" ? options.headers : { ...options.headers };
  const tls = {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.clientCertificate === undefined ? {} : { cert: options.clientCertificate }),
    ...(options.clientKey === undefined ? {} : { key: options.clientKey }),
  };
  return async () => {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return constructWithoutOtlpEnvironment(
      () =>
        new OTLPTraceExporter({
          url: options.url,
          headers,
          timeoutMillis: options.timeoutMillis,
          compression: (options.compression ?? "none") as never,
          httpAgentOptions: exportHttpAgent(tls) as never,
        }),
    ) as unknown as SpanExporter;
  };
}
