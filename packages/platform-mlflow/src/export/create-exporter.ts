import { LlmopsError } from "@llmops/core";
import { explainTransportError } from "@llmops/core/otlp";
import type { MlflowSection } from "../config/section";
import type { ExperimentResolver } from "./experiment";
import type { MlflowTarget } from "./target";

/** How messages name the section's server settings. */
export const MLFLOW_NAMES = { configSection: "mlflow", endpointKey: "tracking_uri", server: "the tracking server" } as const;

/** The header MLflow's `/v1/traces` requires: the experiment the spans belong to. */
export const EXPERIMENT_HEADER = "x-mlflow-experiment-id";

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

/** A hint for an export error: which setting to check. Never contains a secret. */
export function explainExportError(error: Error | undefined, section: MlflowSection, target: MlflowTarget): string | undefined {
  const text = `${error?.message ?? ""} ${(error as { code?: unknown } | undefined)?.code ?? ""}`;
  if (/experiment is not resolved yet/.test(text)) return "Spans are sent once the experiment is resolved; it is tried again at each export.";
  const transport = explainTransportError(error, { ...MLFLOW_NAMES, url: target.tracesUrl, certificateFile: section.certificate_file });
  if (transport !== undefined) return transport;
  if (/\b(401|403)\b|Unauthorized|Forbidden/i.test(text)) return `The tracking server refused the request; it carried ${target.credential}.`;
  if (/\b(404|422)\b/.test(text)) return "Check that mlflow.tracking_uri is an MLflow tracking server of version 3.6 or later (it serves OTLP at /v1/traces).";
  return undefined;
}
