import type { DiagLogger } from "@opentelemetry/api";
import type { SpanExporter, SpanProcessor } from "../contract/sdk-types";
import type { AssembleProviderOptions, ManagedTracerProvider } from "../contract/provider";
import type { ServiceInfo, SpansConfig } from "../contract/config";
import { ContextAttributesProcessor } from "./context-processor";
import { CountingSpanProcessor } from "./counting-processor";
import { DeferredExporter } from "./deferred-exporter";
import { filterSpans } from "./span-filter";
import { DEFAULT_EXPORT_TIMEOUT_MILLIS, EXPORT_DEADLINE_GRACE_MILLIS, MAX_CONCURRENT_EXPORTS, ReportingExporter } from "./reporting-exporter";
import { TracingStatsCollector } from "./tracing-stats";
import { spanPolicies } from "./span-policies";
import type { SpanPolicySettings } from "./span-policies";
import type { PrivacyDetectorsConfig } from "../contract/privacy";
import { createPrivacyProcessor } from "../privacy/privacy-processor";
import { resolveQueueLimit } from "./export-queue";
import { loadOtelSdk } from "../internal/otel-sdk";

/** Resource attribute names the assembly sets (OpenTelemetry semantic conventions). */
const SERVICE_NAME = "service.name";
const SERVICE_VERSION = "service.version";
const DEPLOYMENT_ENVIRONMENT = "deployment.environment.name";

/** What the resolved configuration adds to a platform's assembly: span policies, privacy, converters of libraries' spans. */
export interface PipelineSettings {
  /** `pricing:` and `sampling:` (and the environment they read). */
  readonly policies?: SpanPolicySettings;
  /** The detectors of `privacy:`, when any is on. */
  readonly privacy?: PrivacyDetectorsConfig;
  /** Processors that convert a library's own spans (from the registry's entries), placed before privacy. */
  readonly converters?: readonly SpanProcessor[];
  /** `spans:`: which spans reach the platform (framework spans filtered out by default). */
  readonly spans?: SpansConfig;
  /** `export.queue_memory_mb`: the export queue's bound in memory. */
  readonly queueMemoryMb?: number;
}

/**
 * The batch processor's own `maxQueueSize` when the queue is bounded by memory: never reached, so that the counting
 * processor in front of it, which counts and reports, is the one that drops.
 */
const UNBOUNDED_QUEUE_SIZE = Number.MAX_SAFE_INTEGER;

/**
 * Builds a `NodeTracerProvider` for a platform: service resource (merged over the SDK defaults and
 * `OTEL_RESOURCE_ATTRIBUTES`), the processor that sets the attributes of `withSession()`, `withUser()`... at span
 * start, extra processors, then one batch (honouring `OTEL_BSP_*`) or simple processor per exporter.
 * Every span on its way to an exporter is accounted for in `stats`: a counting processor in front of the exporter's
 * processor counts the spans that end and drops (counted and warned, never silently) those that would overflow the
 * batch queue (bounded by memory, `export.queue_memory_mb`, unless `OTEL_BSP_MAX_QUEUE_SIZE` is set); the exporter is wrapped so that exports and failed exports are counted, failures warned about, and
 * every export ends by a deadline (`exportTimeoutMillis` + 1 s).
 * An exporter given as a factory is created at its first export when `deferExporters` is set (permissive mode), else
 * here (strict mode: a failure throws from `instrument()`).
 * The OpenTelemetry SDK is imported here, on first use, never at `import "@llmops/core"`.
 */
export async function assembleTracerProvider(
  service: ServiceInfo,
  options: AssembleProviderOptions,
  logger: DiagLogger,
  stats: TracingStatsCollector = new TracingStatsCollector(),
  deferExporters = false,
  pipeline: PipelineSettings = {},
): Promise<ManagedTracerProvider> {
  const { policies: policySettings = {}, privacy, converters = [], spans, queueMemoryMb } = pipeline;
  const { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, defaultResource, detectResources, envDetector, resourceFromAttributes } =
    await loadOtelSdk();
  const attributes: Record<string, string | number | boolean> = { [SERVICE_NAME]: service.name };
  if (service.version !== undefined) attributes[SERVICE_VERSION] = service.version;
  if (service.environment !== undefined) attributes[DEPLOYMENT_ENVIRONMENT] = service.environment;
  Object.assign(attributes, options.resourceAttributes);
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes(attributes));
  const batch = options.batch ?? true;
  const target = options.exportTarget ?? "the platform";
  const exportDeadline = (options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MILLIS) + EXPORT_DEADLINE_GRACE_MILLIS;
  const exporters: SpanExporter[] = [];
  for (const given of options.exporters ?? []) {
    if (typeof given !== "function") exporters.push(given);
    else exporters.push(deferExporters ? new DeferredExporter(given) : await given());
  }
  const head = [
    // First, so that the platform's processors and the exporters see the session, user and tags of `withSession()`...
    new ContextAttributesProcessor(),
    // Libraries' own spans turned into OpenInference ones, before anything reads (cost) or masks (privacy) them.
    ...converters,
  ];
  const spanProcessors = [
    // Masks in onEnding, before any processor's onEnd: no exporter sees what the privacy detectors find.
    ...[await createPrivacyProcessor(privacy, logger)].filter((processor) => processor !== undefined),
    ...(options.spanProcessors ?? []),
    ...exporters.map((inner) => {
      const counters = stats.addPipeline();
      // Batches wait for a free slot (a flush hands every queued batch over at once); span by span, each export starts
      // as its span ends, as it did before batches could pile up.
      const concurrency = batch || options.createSpanProcessor !== undefined ? MAX_CONCURRENT_EXPORTS : Number.POSITIVE_INFINITY;
      const exporter = new ReportingExporter(inner, logger, target, options.explainExportError, counters, exportDeadline, concurrency);
      const exportsSettled = (): Promise<void> => exporter.settledAll();
      if (options.createSpanProcessor !== undefined) {
        // A platform's own processor keeps its own queue; its spans are counted, its queue is its business.
        return new CountingSpanProcessor(options.createSpanProcessor(exporter, batch), { counters, logger, target, exportsSettled });
      }
      if (!batch) return new CountingSpanProcessor(new SimpleSpanProcessor(exporter), { counters, logger, target, exportsSettled });
      const queueLimit = resolveQueueLimit(queueMemoryMb);
      // The other OTEL_BSP_* variables are read by the SDK's batch processor itself.
      const maxQueueSize = queueLimit.maxSpans ?? UNBOUNDED_QUEUE_SIZE;
      return new CountingSpanProcessor(new BatchSpanProcessor(exporter, { maxQueueSize }), { counters, logger, target, queueLimit, exportsSettled });
    }),
  ];
  // Cost (pricing:) after the head (context, converters); the sampler and keep rules (sampling:) in front of what exports.
  const policies = spanPolicies(policySettings, stats.policies, logger, { ParentBasedSampler, TraceIdRatioBasedSampler });
  // The span filter (spans:) in front of all of them: a span it drops reaches no processor's end, no count, no exporter.
  return new NodeTracerProvider({ resource, spanProcessors: filterSpans(policies.arrange(head, spanProcessors), spans), sampler: policies.sampler });
}
