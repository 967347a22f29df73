import type { SpanExporterFactory } from "@llmops/core";
import { checkGrpcExporter, explainTransportError, otlpGrpcExporter } from "@llmops/core/otlp";
import type { ArizeSection } from "../config/section";
import { ARIZE_AX_HTTP_ENDPOINT } from "./target";
import type { ExportTarget } from "./target";

/** How messages name the section's server settings. */
export const ARIZE_NAMES = { configSection: "arize", endpointKey: "endpoint", server: "the collector" } as const;

/** What asks for gRPC, in the config's words, for the message when the exporter is missing. */
const GRPC_REASON = 'arize.transport is "grpc"';

/** Throws `MissingDependencyError` when gRPC is chosen and its exporter is not installed in the app. */
export function checkArizeGrpcExporter(appRoot: string): void {
  checkGrpcExporter(appRoot, GRPC_REASON);
}

/**
 * The gRPC exporter factory (`transport: grpc`), through the app's `@opentelemetry/exporter-trace-otlp-grpc`: with the
 * target's headers as metadata, gzip when asked, the request time limit and, for TLS, the CA of `certificate_file`.
 */
export function grpcExporterFactory(section: ArizeSection, target: ExportTarget, appRoot: string, ca: string | undefined): SpanExporterFactory {
  return otlpGrpcExporter({ url: target.url, headers: target.headers, timeoutMillis: section.timeout_ms, compression: section.compression, ca, appRoot, reason: GRPC_REASON });
}

/** A hint for an export error: which setting to check. Never contains a secret. */
export function explainExportError(error: Error | undefined, section: ArizeSection): string | undefined {
  const transport = explainTransportError(error, { ...ARIZE_NAMES, url: section.endpoint ?? ARIZE_AX_HTTP_ENDPOINT, certificateFile: section.certificate_file });
  if (transport !== undefined) return transport;
  const text = `${error?.message ?? ""} ${(error as { code?: string } | undefined)?.code ?? ""}`;
  if (/\b(401|403)\b|Unauthorized|Forbidden|UNAUTHENTICATED|PERMISSION_DENIED/i.test(text)) {
    return section.space_id === undefined ? "The collector refused the credentials: check arize.api_key." : "Arize AX refused the credentials: check arize.api_key and arize.space_id.";
  }
  return undefined;
}
