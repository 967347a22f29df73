import { checkCertificateFile, definePlatform } from "@llmops/core";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ARIZE_ENVIRONMENT, arizeSchema } from "./config/section";
import { checkGrpcExporter, explainExportError, exporterFactory } from "./export/create-exporter";
import { resolveTarget, sendsKeyInClear } from "./export/target";
import { vercelProcessorFactory } from "./export/vercel";
import { ARIZE_INSTRUMENTORS } from "./instrumentors/registry";

/**
 * The Arize platform: Arize Phoenix (self-hosted or cloud) and, when `space_id` is set, Arize AX. Spans go as OTLP
 * (HTTP protobuf by default, gRPC on request) with the target's auth headers and project routing.
 *
 * @example
 * ```ts
 * import { registerPlatform, getPlatform } from "@llmops/core";
 * import { platform } from "@llmops/platform-arize";
 *
 * registerPlatform(platform); // only where there is no package.json to scan (bundles)
 * const tracing = await getPlatform("arize").instrument({
 *   config: { service: { name: "my-app" }, arize: { endpoint: "http://localhost:6006", project_name: "my-project" } },
 * });
 * ```
 */
export const platform = definePlatform({
  name: "arize",
  configSection: "arize",
  packageName: "@llmops/platform-arize",
  schema: arizeSchema,
  environment: ARIZE_ENVIRONMENT,
  instrumentors: ARIZE_INSTRUMENTORS,
  checkDependencies({ appRoot, section }) {
    if ((section as { transport?: string }).transport === "grpc") checkGrpcExporter(appRoot);
  },
  checkConfig({ section, appRoot }) {
    const issue = checkCertificateFile({ file: section.certificate_file, appRoot, key: "arize.certificate_file", server: "the collector" });
    return issue === undefined ? [] : [issue];
  },
  async createTracerProvider({ section, config, service, appRoot, logger, assembleTracerProvider }) {
    const target = resolveTarget(section, service);
    if (sendsKeyInClear(section, target.url)) {
      logger.warn(`arize.api_key is sent over plain HTTP to ${new URL(target.url).host}, where anyone on the way can read it; use an https:// endpoint.`);
    }
    // Reached only when checkConfig could read the file: a missing one is an issue, never this warning as well.
    if (section.certificate_file !== undefined && new URL(target.url).protocol === "http:") {
      logger.warn(`arize.certificate_file is not used: arize.endpoint is http://, so nothing is encrypted. Use an https:// endpoint for TLS.`);
    }
    const exporter = exporterFactory(section, target, appRoot);
    const spanProcessors: SpanProcessor[] = [];
    if (section.debug) {
      const { ConsoleSpanExporter, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
      spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    }
    const createSpanProcessor = vercelProcessorFactory({ appRoot, setting: config.instrumentation.vercel, logger });
    logger.debug(`exporting to ${target.description}`);
    return assembleTracerProvider({
      exporters: [exporter],
      batch: section.batch_spans,
      spanProcessors,
      resourceAttributes: target.resourceAttributes,
      exportTarget: target.description,
      explainExportError: (error) => explainExportError(error, section),
      exportTimeoutMillis: section.timeout_ms,
      ...(createSpanProcessor === undefined ? {} : { createSpanProcessor }),
    });
  },
});
