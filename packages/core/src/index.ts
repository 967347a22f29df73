export { VERSION } from "./version";
export {
  LlmopsError,
  ConfigurationError,
  MissingDependencyError,
  PlatformNotFoundError,
  PlatformConflictError,
  PlatformBrokenError,
  HttpRequestError,
} from "./errors/llmops-error";
export type { ConfigIssue, HttpRequestFailure } from "./errors/llmops-error";
export { definePlatform } from "./platform/platform";
export { redactUrl, travelsInClear } from "./platform/helpers";
export { readCertificateFile } from "./otlp/certificate";
export type { CertificateFileParams } from "./otlp/certificate";
export { redactSecrets } from "./internal/redact";
export type {
  AssembleProviderOptions,
  ConfigCheckContext,
  EnvironmentOverride,
  EnvironmentValueKind,
  GenericVariableRule,
  InstrumentationLike,
  InstrumentorContext,
  InstrumentorModule,
  InstrumentorSpec,
  ManagedTracerProvider,
  Platform,
  PlatformConfig,
  PlatformDefinition,
  PlatformRegistry,
  PrivacyConfig,
  ProviderContext,
  ResolvedConfig,
  SectionOf,
  ServiceInfo,
  SharedConfigSections,
  ValidationMode,
} from "./platform/platform";
export { getPlatform, listPlatforms, registerPlatform, clearDiscoveryCache } from "./discovery/registry";
export type { DiscoveryOptions, PlatformHandle, PlatformInfo } from "./discovery/registry";
export type { PlatformSource } from "./discovery/discover";
export { installCommand } from "./internal/package-manager";
export { loadConfig } from "./config/load-config";
export type { LoadConfigOptions, LoadedConfig } from "./config/load-config";
export type { FlushResult, InstrumentationHandle, InstrumentOptions } from "./pipeline/handle";
export type { TracingStats } from "./provider/tracing-stats";
export type { SpanExporterFactory } from "./provider/deferred-exporter";
export { forceFlush, getActiveInstrumentation, preloadPlatform } from "./pipeline/preload";
export { instrumentFor } from "./pipeline/instrument-for";
export type { InstrumentorReport, InstrumentorStatus } from "./instrumentors/run-instrumentors";
export { openInferenceInstrumentors } from "./instrumentors/openinference";
export type { OpenInferenceKey } from "./instrumentors/openinference";
