import { createRequire } from "node:module";
import { join } from "node:path";
import { MissingDependencyError, constructWithoutOtlpEnvironment, exportHttpAgent, installCommand, readCertificateFile } from "@llmops/core";
import type { SpanExporterFactory } from "@llmops/core";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ArizeSection } from "../config/section";
import type { ExportTarget } from "./target";

/** The optional peer that carries OTLP over gRPC. */
export const GRPC_EXPORTER_PACKAGE = "@opentelemetry/exporter-trace-otlp-grpc";

/**
 * What the install line asks for: the exporter's release line that goes with the OpenTelemetry SDK 2.x core builds on
 * (the peer range is `>=0.200.0 <0.300.0`). An unversioned install takes the newest, 0.300 or later, which needs
 * `@opentelemetry/api` 1.10 and fails to install next to the SDK 2.x.
 */
export const GRPC_EXPORTER_INSTALL_SPEC = `${GRPC_EXPORTER_PACKAGE}@0.223`;

/** Reads `certificate_file` (relative to the app root); a file that cannot be read is a clear error naming the key. */
export function readCertificate(section: ArizeSection, appRoot: string): string | undefined {
  return readCertificateFile({ file: section.certificate_file, appRoot, key: "arize.certificate_file", server: "the collector" });
}

/** Throws {@link MissingDependencyError} when gRPC is chosen and its exporter is not installed in the app. */
export function checkGrpcExporter(appRoot: string): void {
  try {
    createRequire(join(appRoot, "package.json")).resolve(GRPC_EXPORTER_PACKAGE);
  } catch (error) {
    throw new MissingDependencyError({
      message: `arize.transport is "grpc", which needs ${GRPC_EXPORTER_PACKAGE}.`,
      packageName: GRPC_EXPORTER_PACKAGE,
      installCommand: installCommand(GRPC_EXPORTER_INSTALL_SPEC, appRoot),
      cause: error,
    });
  }
}

/**
 * Prepares the OTLP exporter of the section: OTLP/HTTP protobuf (default), or gRPC through the app's
 * `@opentelemetry/exporter-trace-otlp-grpc`; with the target's headers, gzip when asked, the request time limit and,
 * for TLS, the CA of `certificate_file`. The certificate is read now (a file that cannot be read fails `instrument()`);
 * the exporter modules are imported when core calls the returned factory (at the first export, or inside
 * `instrument()` in strict mode).
 */
export function exporterFactory(section: ArizeSection, target: ExportTarget, appRoot: string): SpanExporterFactory {
  const ca = readCertificate(section, appRoot);
  const compression = section.compression === "gzip" ? ("gzip" as const) : ("none" as const);
  if (section.transport === "grpc") return async () => createGrpcExporter(target, appRoot, ca, compression, section.timeout_ms);
  return async () => {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
    // Every setting explicit, the exporter's own reading of OTEL_EXPORTER_OTLP_* suppressed: the target already
    // follows llmops's precedence, and those variables must not add headers or a TLS identity to it.
    return constructWithoutOtlpEnvironment(
      () =>
        new OTLPTraceExporter({
          url: target.url,
          headers: { ...target.headers },
          timeoutMillis: section.timeout_ms,
          compression: compression as never,
          // Core's agent: at core's export deadline (or an exit that cannot wait) the export's connection is ended.
          httpAgentOptions: exportHttpAgent(ca === undefined ? {} : { ca }) as never,
        }),
    ) as unknown as SpanExporter;
  };
}

interface GrpcModule {
  credentials: { createSsl(rootCerts?: Buffer): unknown; createInsecure(): unknown };
  Metadata: new () => { set(key: string, value: string): void };
}

function createGrpcExporter(target: ExportTarget, appRoot: string, ca: string | undefined, compression: "gzip" | "none", timeoutMillis: number): SpanExporter {
  checkGrpcExporter(appRoot);
  const requireFromApp = createRequire(join(appRoot, "package.json"));
  const exporterPath = requireFromApp.resolve(GRPC_EXPORTER_PACKAGE);
  const { OTLPTraceExporter } = requireFromApp(exporterPath) as { OTLPTraceExporter: new (config: Record<string, unknown>) => SpanExporter };
  // @grpc/grpc-js as the exporter itself resolves it, so metadata and credentials come from the same copy.
  const requireFromExporter = createRequire(createRequire(exporterPath).resolve("@opentelemetry/otlp-grpc-exporter-base"));
  const grpc = requireFromExporter("@grpc/grpc-js") as GrpcModule;
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(target.headers)) metadata.set(key, value);
  const secure = new URL(target.url).protocol === "https:";
  const credentials = secure ? grpc.credentials.createSsl(ca === undefined ? undefined : Buffer.from(ca)) : grpc.credentials.createInsecure();
  // As for HTTP: the exporter would merge OTEL_EXPORTER_OTLP_HEADERS into the metadata; it must not.
  return constructWithoutOtlpEnvironment(() => new OTLPTraceExporter({ url: target.url, metadata, timeoutMillis, compression, credentials }));
}

function travelsEncrypted(endpoint: string | undefined): boolean {
  return endpoint !== undefined && /^https:/i.test(endpoint);
}

/** A hint for an export error: which setting to check. Never contains a secret. */
export function explainExportError(error: Error | undefined, section: ArizeSection): string | undefined {
  const text = `${error?.message ?? ""} ${(error as { code?: string } | undefined)?.code ?? ""}`;
  if (/certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|DEPTH_ZERO/i.test(text)) {
    return section.certificate_file === undefined
      ? "The collector's TLS certificate is not trusted: set arize.certificate_file to the CA that signed it."
      : "The collector's TLS certificate is not trusted by arize.certificate_file: check that it is the CA that signed the collector's certificate.";
  }
  if (/wrong version number|EPROTO/i.test(text)) {
    return "arize.endpoint is https:// but the collector answered in plain HTTP: use http://, or turn TLS on at the collector.";
  }
  if (/socket hang up|ECONNRESET/i.test(text) && !travelsEncrypted(section.endpoint)) {
    return "The connection was closed without an answer: if the collector serves TLS, arize.endpoint must start with https://.";
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|UNAVAILABLE/i.test(text)) return "Nothing answered at arize.endpoint: is the collector running, and is the endpoint right?";
  if (/\b(401|403)\b|Unauthorized|Forbidden|UNAUTHENTICATED|PERMISSION_DENIED/i.test(text)) {
    return section.space_id === undefined ? "The collector refused the credentials: check arize.api_key." : "Arize AX refused the credentials: check arize.api_key and arize.space_id.";
  }
  return undefined;
}
