import { defineOtlpPlatform } from "@llmops/core/otlp";
import { ARIZE_ENVIRONMENT, arizeSchema } from "./config/section";
import { ARIZE_NAMES, checkArizeGrpcExporter, explainExportError, grpcExporterFactory } from "./export/create-exporter";
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
export const platform = defineOtlpPlatform({
  ...ARIZE_NAMES,
  name: "arize",
  packageName: "@llmops/platform-arize",
  schema: arizeSchema,
  environment: ARIZE_ENVIRONMENT,
  instrumentors: ARIZE_INSTRUMENTORS,
  checkDependencies({ appRoot, section }) {
    if ((section as { transport?: string }).transport === "grpc") checkArizeGrpcExporter(appRoot);
  },
  target({ section, service, appRoot, logger, ca }) {
    const target = resolveTarget(section, service);
    if (sendsKeyInClear(section, target.url)) {
      logger.warn(`arize.api_key is sent over plain HTTP to ${new URL(target.url).host}, where anyone on the way can read it; use an https:// endpoint.`);
    }
    return {
      ...target,
      ...(section.transport === "grpc" ? { exporter: grpcExporterFactory(section, target, appRoot, ca) } : {}),
      explainExportError: (error) => explainExportError(error, section),
    };
  },
  createSpanProcessor: ({ appRoot, config, logger }) => vercelProcessorFactory({ appRoot, setting: config.instrumentation.vercel, logger }),
});

// Types getPlatform("arize") wherever this package's types are visible.
declare module "@llmops/core" {
  interface PlatformRegistry {
    /** `@llmops/platform-arize`: Arize Phoenix and Arize AX. */
    arize: typeof platform;
  }
}
