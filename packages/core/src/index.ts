export { VERSION } from "./version";
export { LlmopsError, ConfigurationError, MissingDependencyError, PlatformNotFoundError, PlatformConflictError, PlatformBrokenError, HttpRequestError } from "./errors/llmops-error";
export type { ConfigIssue, HttpRequestFailure } from "./errors/llmops-error";
export { asError, messageOf } from "./errors/error-message";
export { EXPORT_FAILED, EXPORT_SUCCESS } from "./provider/export-result";
export { definePlatform } from "./contract/platform";
export { readCertificateFile } from "./otlp/certificate";
export type { CertificateFileParams } from "./otlp/certificate";
export { redactUrl, travelsInClear } from "./helpers/url-safety";
export { redactSecrets } from "./helpers/redact";
export { formatCost } from "./helpers/format-cost";
export type { AssembleProviderOptions, ManagedTracerProvider, ProviderContext } from "./contract/provider";
export type {
  ConfigCheckContext,
  EnvironmentOverride,
  EnvironmentValueKind,
  GenericVariableRule,
  PrivacyConfig,
  SpansConfig,
  ExportConfig,
  ResolvedConfig,
  ServiceInfo,
  SharedConfigSections,
  ValidationMode,
} from "./contract/config";
export type { ModelPrice, PricingConfig, SamplingConfig } from "./contract/pricing";
export type { InstrumentationLike, InstrumentorContext, IntegrationContext, InstrumentorModule, InstrumentorSpec } from "./contract/instrumentor";
export type { Platform, PlatformConfig, PlatformDefinition, PlatformRegistry, SectionOf } from "./contract/platform";
export { getPlatform, listPlatforms, registerPlatform, clearDiscoveryCache } from "./api/get-platform";
export type { DiscoveryOptions, PlatformHandle, PlatformInfo } from "./api/get-platform";
export type { PlatformSource } from "./discovery/discover";
export { installCommand } from "./helpers/install-command";
export { loadConfig } from "./config/check-config";
export type { LoadConfigOptions, LoadedConfig } from "./config/check-config";
export type { FlushResult, InstrumentationHandle } from "./pipeline/handle";
export type { InstrumentOptions } from "./pipeline/instrument-options";
export type { GlobalRegistration } from "./pipeline/global-registration";
export type { TracingStats } from "./provider/tracing-stats";
export type { SpanExporterFactory } from "./contract/provider";
export type { ExportResult, ReadableSpan, SdkSpan, SpanEvent, SpanExporter, SpanProcessor } from "./contract/sdk-types";
export { forceFlush, getActiveInstrumentation, preloadPlatform } from "./api/preload";
export { instrumentFor } from "./api/instrument-for";
export type { InstrumentorReport, InstrumentorStatus } from "./instrumentors/report";
export { openInferenceInstrumentors } from "./instrumentors/openinference";
export type { OpenInferenceKey } from "./instrumentors/openinference";
export { googleAdkInstrumentor } from "./instrumentors/google-adk/google-adk";
// Tracing your own code: trace(), the traced decorator, withSpan(), getCurrentSpan() and collectors.
export { trace, withSpan } from "./tracing/trace";
export type { TraceOptions } from "./tracing/trace";
export { traced } from "./tracing/decorators";
export type { TracedDecorator } from "./tracing/decorators";
export { getCurrentSpan } from "./tracing/current-span";
export type { CurrentSpan } from "./tracing/current-span";
export { collectorFailures, registerCollector, textCollector, TEXT_ATTRIBUTE_PREFIX } from "./tracing/collectors";
export type { Collector, CollectorCall, CollectorReference } from "./tracing/collectors";
export { MAX_VALUE_LENGTH } from "./tracing/serialize";
export type { SpanKind } from "./tracing/attributes";
// Session, user, metadata, tags and attributes on every span started inside a call (TSDoc and examples in tracing/context.ts).
export { withContext, withSession, withUser, withMetadata, withTags, withAttributes } from "./tracing/context";
export type { TracingContext } from "./tracing/context";
