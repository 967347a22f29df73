import { defineOtlpPlatform } from "@llmops/core/otlp";
import { MLFLOW_ENVIRONMENT, mlflowSchema } from "./config/section";
import { MLFLOW_NAMES, explainExportError, exportHeaders } from "./export/create-exporter";
import { ExperimentResolver } from "./export/experiment";
import { resolveTarget, sendsCredentialsInClear } from "./export/target";
import { MLFLOW_INSTRUMENTORS } from "./instrumentors/registry";

/**
 * The MLflow platform: spans go as OTLP/HTTP protobuf to the tracking server's `/v1/traces` with the
 * `x-mlflow-experiment-id` header. The experiment is resolved at `instrument()` through the server's REST API (by id,
 * or by name, created when absent). With the server down, strict mode fails fast; permissive mode warns and resolves
 * it at the first export that finds the server up (spans of earlier exports are dropped and counted).
 *
 * @example
 * ```ts
 * import { registerPlatform, getPlatform } from "@llmops/core";
 * import { platform } from "@llmops/platform-mlflow";
 *
 * registerPlatform(platform); // only where there is no package.json to scan (bundles)
 * const tracing = await getPlatform("mlflow").instrument({
 *   config: { service: { name: "my-app" }, mlflow: { tracking_uri: "http://localhost:5000", experiment_name: "my-experiment" } },
 * });
 * ```
 */
export const platform = defineOtlpPlatform({
  ...MLFLOW_NAMES,
  name: "mlflow",
  packageName: "@llmops/platform-mlflow",
  schema: mlflowSchema,
  environment: MLFLOW_ENVIRONMENT,
  instrumentors: MLFLOW_INSTRUMENTORS,
  async target({ section, config, service, logger, ca }) {
    const target = resolveTarget(section, service);
    if (sendsCredentialsInClear(target)) {
      logger.warn(`MLflow credentials (${target.credential}) are sent over plain HTTP to ${new URL(target.baseUrl).host}, where anyone on the way can read them; use an https:// tracking_uri.`);
    }
    const secure = new URL(target.baseUrl).protocol === "https:";
    // The kit warns about an unused certificate_file; insecure_tls is MLflow's own, and one warning about TLS is enough.
    if (!secure && section.insecure_tls && section.certificate_file === undefined) logger.warn("mlflow.insecure_tls is not used: mlflow.tracking_uri is http://, so nothing is encrypted.");
    if (secure && section.insecure_tls) logger.warn("mlflow.insecure_tls is on: the tracking server's certificate is not verified. Use it for testing only.");
    const resolver = new ExperimentResolver(target, section.timeout_ms, { ...(ca === undefined ? {} : { ca }), insecure: section.insecure_tls });
    try {
      const experimentId = await resolver.resolve();
      logger.debug(`${target.description}: experiment id ${experimentId}`);
    } catch (error) {
      // Strict: fail fast, the message names the URI and the HTTP status (or the network error).
      if (config.validationMode === "strict") throw error;
      logger.warn(`${(error as Error).message} Tracing stays on: the experiment is resolved again at each export until it succeeds; spans of exports before that are dropped and counted.`);
    }
    return {
      url: target.tracesUrl,
      headers: exportHeaders(target, resolver),
      description: target.description,
      rejectUnauthorized: !section.insecure_tls,
      explainExportError: (error) => explainExportError(error, section, target),
    };
  },
});

// Types getPlatform("mlflow") wherever this package's types are visible.
declare module "@llmops/core" {
  interface PlatformRegistry {
    /** `@llmops/platform-mlflow`: MLflow tracking servers. */
    mlflow: typeof platform;
  }
}
