import { LlmopsError, constructWithoutOtlpEnvironment, exportHttpAgent, readCertificateFile } from "@llmops/core";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { MlflowSection } from "../config/section";
import type { ExperimentResolver, TlsOptions } from "./experiment";
import type { MlflowTarget } from "./target";

/** The header MLflow's `/v1/traces` requires: the experiment the spans belong to. */
export const EXPERIMENT_HEADER = "x-mlflow-experiment-id";

/** Reads `certificate_file` (relative to the app root); a file that cannot be read is a clear error naming the key. */
export function readCertificate(section: MlflowSection, appRoot: string): string | undefined {
  return readCertificateFile({ file: section.certificate_file, appRoot, key: "mlflow.certificate_file", server: "the tracking server" });
}

/**
 * The headers of one export: the target's, plus `x-mlflow-experiment-id`. The experiment id comes from the resolver,
 * so an experiment not resolved at start-up (server down, permissive mode) is resolved at the first export that
 * finds the server up; until then each export fails with the reason and its spans are counted as dropped.
 */
export function exportHeaders(target: MlflowTarget, resolver: ExperimentResolver): () => Promise<Record<string, string>> {
  return async () => {
    let experimentId: string;
    try {
      experimentId = await resolver.resolve();
    } catch (error) {
      throw new LlmopsError(`the MLflow experiment is not resolved yet: ${(error as Error).message}`, { cause: error });
    }
    return { ...target.headers, [EXPERIMENT_HEADER]: experimentId };
  };
}

/**
 * Builds the OTLP/HTTP protobuf exporter to `<tracking_uri>/v1/traces`, with the headers factory of
 * {@link exportHeaders}, gzip when asked, the request time limit and the TLS settings. Core calls it through the
 * platform's exporter factory: at the first export, or inside `instrument()` in strict mode.
 */
export async function createExporter(section: MlflowSection, target: MlflowTarget, resolver: ExperimentResolver, tls: TlsOptions): Promise<SpanExporter> {
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  // Every setting explicit, the exporter's own reading of OTEL_EXPORTER_OTLP_* suppressed: those variables describe
  // some other collector, and must not add headers or a TLS identity to requests to the tracking server.
  return constructWithoutOtlpEnvironment(
    () =>
      new OTLPTraceExporter({
        url: target.tracesUrl,
        headers: exportHeaders(target, resolver),
        timeoutMillis: section.timeout_ms,
        compression: (section.compression === "gzip" ? "gzip" : "none") as never,
        // Core's agent: at core's export deadline (or an exit that cannot wait) the export's connection is ended.
        httpAgentOptions: exportHttpAgent({ ...(tls.ca === undefined ? {} : { ca: tls.ca }), rejectUnauthorized: tls.insecure !== true }) as never,
      }),
  ) as unknown as SpanExporter;
}

/** A hint for an export error: which setting to check. Never contains a secret. */
export function explainExportError(error: Error | undefined, section: MlflowSection, target: MlflowTarget): string | undefined {
  const text = `${error?.message ?? ""} ${(error as { code?: unknown } | undefined)?.code ?? ""}`;
  if (/experiment is not resolved yet/.test(text)) return "Spans are sent once the experiment is resolved; it is tried again at each export.";
  if (/certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|DEPTH_ZERO/i.test(text)) {
    return section.certificate_file === undefined
      ? "The tracking server's TLS certificate is not trusted: set mlflow.certificate_file to the CA that signed it."
      : "The tracking server's TLS certificate is not trusted by mlflow.certificate_file: check that it is the CA that signed the server's certificate.";
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET/i.test(text)) return "Nothing answered at mlflow.tracking_uri: is the tracking server running, and is the URI right?";
  if (/\b(401|403)\b|Unauthorized|Forbidden/i.test(text)) return `The tracking server refused the request; it carried ${target.credential}.`;
  if (/\b(404|422)\b/.test(text)) return "Check that mlflow.tracking_uri is an MLflow tracking server of version 3.6 or later (it serves OTLP at /v1/traces).";
  return undefined;
}
