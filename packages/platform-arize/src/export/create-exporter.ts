import { createRequire } from "node:module";
import { join } from "node:path";
import { MissingDependencyError, installCommand } from "@llmops/core";
import type { SpanExporterFactory } from "@llmops/core";
import { constructWithoutOtlpEnvironment, explainTransportError } from "@llmops/core/otlp";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ArizeSection } from "../config/section";
import { ARIZE_AX_HTTP_ENDPOINT } from "./target";
import type { ExportTarget } from "./target";

/** How messages name the section's server settings. */
export const ARIZE_NAMES = { configSection: "arize", endpointKey: "endpoint", server: "the collector" } as const;

/** The optional peer that carries OTLP over gRPC. */
export const GRPC_EXPORTER_PACKAGE = "@opentelemetry/exporter-trace-otlp-grpc";

/**
 * What the install line asks for: the exporter's release line that goes with the OpenTelemetry SDK 2.x core builds on.
 * The peer range (`>=0.200.0 <0.400.0`) also takes an app's own 0.30x exporter, but an unversioned install takes the
 * newest, 0.300 or later, which needs `@opentelemetry/api` 1.10 and Node 22.15 and fails next to the SDK 2.x.
 */
export const GRPC_EXPORTER_INSTALL_SPEC = `${GRPC_EXPORTER_PACKAGE}@0.223`;

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
 * The gRPC exporter factory (`transport: grpc`), through the app's `@opentelemetry/exporter-trace-otlp-grpc`: with the
 * target's headers as metadata, gzip when asked, the request time limit and, for TLS, the CA of `certificate_file`.
 * The exporter modules are imported when core calls it (at the first export, or inside `instrument()` in strict mode).
 */
export function grpcExporterFactory(section: ArizeSection, target: ExportTarget, appRoot: string, ca: string | undefined): SpanExporterFactory {
  return async () => createGrpcExporter(target, appRoot, ca, section.compression, section.timeout_ms);
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
