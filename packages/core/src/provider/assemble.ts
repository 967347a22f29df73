import type { DiagLogger } from "@opentelemetry/api";
import type { AssembleProviderOptions, ManagedTracerProvider, ServiceInfo } from "../platform/platform";
import { ReportingExporter } from "./reporting-exporter";

/** Resource attribute names the assembly sets (OpenTelemetry semantic conventions). */
const SERVICE_NAME = "service.name";
const SERVICE_VERSION = "service.version";
const DEPLOYMENT_ENVIRONMENT = "deployment.environment.name";

/**
 * Builds a `NodeTracerProvider` for a platform: service resource (merged over the SDK defaults and
 * `OTEL_RESOURCE_ATTRIBUTES`), extra processors, then one batch (honouring `OTEL_BSP_*`) or simple processor per exporter,
 * each exporter wrapped so that failed exports are counted and warned about, never silent.
 * The OpenTelemetry SDK is imported here, on first use, never at `import "@llmops/core"`.
 */
export async function assembleTracerProvider(service: ServiceInfo, options: AssembleProviderOptions, logger: DiagLogger): Promise<ManagedTracerProvider> {
  // One import after the other: two concurrent imports of shared CommonJS code through a loader hook that supplies
  // the source (Yarn PnP's, for zipped packages) trip a Node 22 internal assertion.
  const { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-node");
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = await import("@opentelemetry/resources");
  const attributes: Record<string, string | number | boolean> = { [SERVICE_NAME]: service.name };
  if (service.version !== undefined) attributes[SERVICE_VERSION] = service.version;
  if (service.environment !== undefined) attributes[DEPLOYMENT_ENVIRONMENT] = service.environment;
  Object.assign(attributes, options.resourceAttributes);
  const resource = defaultResource().merge(detectResources({ detectors: [envDetector] })).merge(resourceFromAttributes(attributes));
  const batch = options.batch ?? true;
  const spanProcessors = [
    ...(options.spanProcessors ?? []),
    ...(options.exporters ?? []).map((inner) => {
      const exporter = new ReportingExporter(inner, logger, options.exportTarget ?? "the platform", options.explainExportError);
      if (options.createSpanProcessor !== undefined) return options.createSpanProcessor(exporter, batch);
      return batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter);
    }),
  ];
  return new NodeTracerProvider({ resource, spanProcessors });
}
