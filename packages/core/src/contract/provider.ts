// What the pipeline hands a platform to build its TracerProvider with, and what the platform hands back.
import type { DiagLogger, TracerProvider } from "@opentelemetry/api";
import type { SpanExporter, SpanProcessor } from "./sdk-types";
import type { ResolvedConfig, ServiceInfo } from "./config";

/**
 * Creates a platform's exporter when it is first needed: at the first export in permissive mode, inside
 * `instrument()` in strict mode (see `AssembleProviderOptions.exporters`).
 *
 * @example
 * ```ts
 * const createExporter: SpanExporterFactory = async () => {
 *   // An exporter package of the platform's own (core's OTLP kit has `otlpHttpExporter` built in).
 *   const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
 *   return new OTLPTraceExporter({ url: "http://127.0.0.1:4318/v1/traces" });
 * };
 * return assembleTracerProvider({ exporters: [createExporter] });
 * ```
 */
export type SpanExporterFactory = () => Promise<SpanExporter>;

/**
 * A TracerProvider that can be flushed and shut down: what a platform hands back to the pipeline.
 * `NodeTracerProvider` and `BasicTracerProvider` from the OpenTelemetry SDK satisfy it.
 */
export interface ManagedTracerProvider extends TracerProvider {
  /** Exports every span that has ended and not been exported yet. */
  forceFlush(): Promise<void>;
  /** Flushes, then releases exporters and processors; the provider produces no spans afterwards. */
  shutdown(): Promise<void>;
}

/** Options of the shared provider assembly a platform calls from `createTracerProvider`. */
export interface AssembleProviderOptions {
  /**
   * Exporters, each behind its own span processor. Give a factory (`() => Promise<SpanExporter>`) rather than an
   * exporter to keep the exporter's modules off the app's start-up: in permissive mode (the default) core calls it at
   * the first export or flush, and spans wait in the batch queue until then; in strict mode core calls it inside
   * `instrument()`, so that a failure fails fast. A factory that fails in permissive mode fails those exports, which
   * are counted and warned about like any failed export. Check what can be checked early (files, settings) before
   * returning the factory, so that those problems still surface in `instrument()`.
   *
   * @example
   * ```ts
   * exporters: [async () => new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter({ url })]
   * ```
   */
  readonly exporters?: readonly (SpanExporter | SpanExporterFactory)[];
  /** Batch spans (default) or send each span as it ends. The batch processor honours `OTEL_BSP_*`. */
  readonly batch?: boolean;
  /** Extra processors, placed before the exporters' processors. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Extra resource attributes, merged over the service attributes. */
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean>>;
  /** Names the destination in export warnings, e.g. `Phoenix at http://127.0.0.1:6006/v1/traces`. Never put a secret here. */
  readonly exportTarget?: string;
  /** Turns an export error into a hint for the user (which setting to check); return undefined for none. Never return a secret. */
  readonly explainExportError?: (error: Error | undefined) => string | undefined;
  /**
   * The platform's time limit for one export in milliseconds, retries included (e.g. its `timeout_ms`, the value given
   * to the OTLP exporter's `timeoutMillis`). Core ends every export by a deadline 1 s later, whatever the exporter's
   * own timeout does (the OTLP/HTTP one is an idle timeout, which a trickling server never trips): the export is
   * counted as failed and warned about. Default 30 s.
   */
  readonly exportTimeoutMillis?: number;
  /**
   * Builds the span processor of each exporter in place of the SDK's batch or simple one, e.g. a processor that also
   * converts spans (OpenInference's Vercel AI SDK processor). The exporter it gets already counts and reports failures.
   */
  readonly createSpanProcessor?: (exporter: SpanExporter, batch: boolean) => SpanProcessor;
}

/** What {@link Platform.createTracerProvider} receives. */
export interface ProviderContext<Section> {
  /** The platform's section, validated, defaults applied. */
  readonly section: Section;
  /** The validated shared sections and the platform's section. */
  readonly config: ResolvedConfig<Section>;
  /** The service identity, also present as resource attributes. */
  readonly service: ServiceInfo;
  /** The app's root folder (where its package.json is). */
  readonly appRoot: string;
  /** The environment the configuration was read with. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A logger under the platform's name. */
  readonly logger: DiagLogger;
  /**
   * Builds a `NodeTracerProvider` with the service resource, the processors asked for and the exporters given.
   * The OpenTelemetry SDK is imported here, not before.
   */
  assembleTracerProvider(options: AssembleProviderOptions): Promise<ManagedTracerProvider>;
}
