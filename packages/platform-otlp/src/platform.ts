import { checkCertificateFile, checkGrpcExporter, defineOtlpPlatform, otlpGrpcExporter, otlpHttpExporter, readCertificateFile } from "@llmops/core/otlp";
import { OTLP_ENVIRONMENT, otlpSchema } from "./config/section";
import type { OtlpPlatformSection } from "./config/section";
import { OTLP_NAMES, describeTarget, exportUrl } from "./export/target";
import { GenAiConventionsProcessor } from "./genai/processor";
import { OTLP_INSTRUMENTORS } from "./instrumentors/registry";

const GRPC_REASON = 'otlp.protocol is "grpc"';

/** The client identity files of mutual TLS, as `readCertificateFile` and `checkCertificateFile` name them. */
function clientFiles(section: OtlpPlatformSection, appRoot: string) {
  return {
    certificate: { file: section.client_certificate_file, appRoot, key: "otlp.client_certificate_file", server: OTLP_NAMES.server, expected: "the PEM file of this client's certificate" },
    key: { file: section.client_key_file, appRoot, key: "otlp.client_key_file", server: OTLP_NAMES.server, expected: "the PEM file of this client's private key" },
  };
}

/**
 * The generic OTLP platform: spans go to any OpenTelemetry OTLP receiver (an OpenTelemetry Collector, Jaeger, Grafana
 * Tempo, Langfuse's OTLP endpoint, a vendor) over HTTP/protobuf, HTTP/JSON or gRPC, with headers, TLS and mutual TLS,
 * gzip and time limits, from the `otlp:` section and OpenTelemetry's standard `OTEL_EXPORTER_OTLP_*` variables.
 * Attributes are OpenInference's, or with `semantic_conventions: gen_ai` OpenTelemetry's GenAI conventions.
 *
 * @example
 * ```ts
 * import { getPlatform } from "@llmops/core";
 *
 * const tracing = await getPlatform("otlp").instrument({
 *   config: { service: { name: "my-app" }, otlp: { endpoint: "http://127.0.0.1:4318", protocol: "http/protobuf" } },
 * });
 * ```
 */
export const platform = defineOtlpPlatform({
  ...OTLP_NAMES,
  name: "otlp",
  packageName: "@llmops/platform-otlp",
  schema: otlpSchema,
  environment: OTLP_ENVIRONMENT,
  instrumentors: OTLP_INSTRUMENTORS,
  checkDependencies({ appRoot, section }) {
    if ((section as Partial<OtlpPlatformSection>).protocol === "grpc") checkGrpcExporter(appRoot, GRPC_REASON);
  },
  checkConfig({ section, appRoot }) {
    const files = clientFiles(section, appRoot);
    return [checkCertificateFile(files.certificate), checkCertificateFile(files.key)].filter((issue) => issue !== undefined);
  },
  target({ section, appRoot, ca, logger }) {
    const url = exportUrl(section);
    const files = clientFiles(section, appRoot);
    const clientCertificate = readCertificateFile(files.certificate);
    const clientKey = readCertificateFile(files.key);
    const secure = new URL(url).protocol === "https:";
    if (!secure && clientCertificate !== undefined) logger.warn("otlp.client_certificate_file is not used: the OTLP endpoint is http://, so there is no TLS. Use an https:// endpoint for mutual TLS.");
    const timeoutMillis = section.timeout_ms;
    const description = describeTarget(url, section);
    const tls = { ca, ...(clientCertificate === undefined ? {} : { clientCertificate }), ...(clientKey === undefined ? {} : { clientKey }) };
    const exporter =
      section.protocol === "grpc"
        ? otlpGrpcExporter({ url, headers: section.headers, timeoutMillis, compression: section.compression, ...tls, appRoot, reason: GRPC_REASON })
        : section.protocol === "http/json"
          ? otlpHttpExporter({ url, headers: section.headers, timeoutMillis, compression: section.compression, ...tls, encoding: "json" })
          : undefined;
    return {
      url,
      headers: section.headers,
      description,
      ...(clientCertificate === undefined ? {} : { clientCertificate }),
      ...(clientKey === undefined ? {} : { clientKey }),
      ...(exporter === undefined ? {} : { exporter }),
      ...(section.semantic_conventions === "gen_ai" ? { spanProcessors: [new GenAiConventionsProcessor()] } : {}),
    };
  },
});

// Types getPlatform("otlp") wherever this package's types are visible.
declare module "@llmops/core" {
  interface PlatformRegistry {
    /** `@llmops/platform-otlp`: any OTLP receiver. */
    otlp: typeof platform;
  }
}
