// The configuration as a platform sees it: shared sections, resolved values, environment overrides, checks.
import type { ModelPrice, PricingConfig, SamplingConfig } from "./pricing";
import type { PrivacyAction, PrivacyDetectorsConfig } from "./privacy";

/** The `service` section after validation and environment overrides. */
export interface ServiceInfo {
  /** `service.name` resource attribute. */
  readonly name: string;
  /** `service.version` resource attribute. */
  readonly version?: string;
  /** `deployment.environment.name` resource attribute. */
  readonly environment?: string;
}

/** How the value of an environment variable is read before it overrides a key. */
export type EnvironmentValueKind = "string" | "boolean" | "number" | "headers";

/**
 * One environment variable that overrides one key of the platform's section.
 * When several variables name the same key, the first one set (in declaration order) wins.
 */
export interface EnvironmentOverride {
  /** The variable, e.g. `PHOENIX_API_KEY`. */
  readonly variable: string;
  /** The key inside the platform's section, e.g. `api_key`. */
  readonly key: string;
  /** How to read the value; `string` by default. `headers` reads `k1=v1,k2=v2` (the OTLP headers format). */
  readonly kind?: EnvironmentValueKind;
  /**
   * Marks a generic OpenTelemetry exporter variable (`OTEL_EXPORTER_OTLP_*`), which a cluster may set for every
   * process and every exporter. It is a fallback, never an override: it fills the key only when no explicit option, no
   * platform variable and no config value set it, and not at all when one of `unlessSet` is set by one of those (a
   * key that already names a destination, e.g. `space_id` for Arize AX; or `endpoint` for generic headers, which
   * belong to the generic collector only). Core warns, naming the variable and never its value, when one is used and
   * when one is set but not used.
   *
   * @example
   * ```ts
   * { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", key: "endpoint", generic: { unlessSet: ["space_id"] } }
   * ```
   */
  readonly generic?: GenericVariableRule;
}

/**
 * How a generic OpenTelemetry variable may fill a key: see {@link EnvironmentOverride.generic}.
 *
 * @example
 * ```ts
 * import type { GenericVariableRule } from "@llmops/core";
 * // Generic headers belong to the generic collector: not used when the section names its own endpoint.
 * const onlyWithGenericEndpoint: GenericVariableRule = { unlessSet: ["endpoint"] };
 * ```
 */
export interface GenericVariableRule {
  /** Keys of the section that, set by anything but a generic variable, keep this variable from being used. */
  readonly unlessSet?: readonly string[];
}

/** The configuration after loading, substitution, environment overrides and validation. */
export interface ResolvedConfig<Section> {
  /** `service:` */
  readonly service: ServiceInfo;
  /** `instrumentation:` — key to on/off; a missing key means "on when installed". */
  readonly instrumentation: Readonly<Record<string, boolean>>;
  /** `validation.mode` in force. */
  readonly validationMode: ValidationMode;
  /** `privacy:` — passed to instrumentors as their trace config. */
  readonly privacy: PrivacyConfig;
  /** `pricing:` and `sampling:` (absent where a config was resolved without them, e.g. by a test kit). */
  readonly pricing?: PricingConfig;
  readonly sampling?: SamplingConfig;
  /** The detectors of `privacy:` (masking, hashing, redacting what they find), when at least one is on. */
  readonly privacyDetectors?: PrivacyDetectorsConfig;
  /** `spans:` — which spans reach the platform; absent: the defaults. */
  readonly spans?: SpansConfig;
  /** `export:` — how the export queue holds a burst; empty when not set. */
  readonly export?: ExportConfig;
  /** The platform's own section. */
  readonly section: Section;
  /** The file the configuration came from, if any. */
  readonly file?: string;
}

/**
 * The `export:` section: how much a burst of spans may hold in memory while it waits to be exported.
 *
 * @example
 * ```ts
 * import type { ExportConfig } from "@llmops/core";
 * const small: ExportConfig = { queueMemoryMb: 32 }; // export: { queue_memory_mb: 32 }
 * ```
 */
export interface ExportConfig {
  /** `export.queue_memory_mb` (or `LLMOPS_EXPORT_QUEUE_MEMORY_MB`): the export queue's bound in MB of estimated span memory. */
  readonly queueMemoryMb?: number;
}

/**
 * The `privacy:` section: what instrumentors leave out of spans. The names are OpenInference's trace-config options;
 * a key not set keeps the instrumentor's default (OpenInference reads `OPENINFERENCE_HIDE_INPUTS` and friends).
 */
export interface PrivacyConfig {
  /** `privacy.hide_inputs`: no `input.value`, no input messages. */
  readonly hideInputs?: boolean;
  /** `privacy.hide_outputs`: no `output.value`, no output messages. */
  readonly hideOutputs?: boolean;
  /** `privacy.hide_input_messages` */
  readonly hideInputMessages?: boolean;
  /** `privacy.hide_output_messages` */
  readonly hideOutputMessages?: boolean;
  /** `privacy.hide_input_images` */
  readonly hideInputImages?: boolean;
  /** `privacy.hide_input_text` */
  readonly hideInputText?: boolean;
  /** `privacy.hide_output_text` */
  readonly hideOutputText?: boolean;
  /** `privacy.hide_embedding_vectors` */
  readonly hideEmbeddingVectors?: boolean;
  /** `privacy.base64_image_max_length`: longer base64 images are replaced by a placeholder. */
  readonly base64ImageMaxLength?: number;
}

/**
 * The `spans:` section: which spans reach the platform's exporters.
 *
 * @example
 * ```ts
 * import type { SpansConfig } from "@llmops/core";
 * const everything: SpansConfig = { filter: "all" };
 * ```
 */
export interface SpansConfig {
  /**
   * `spans.filter` (or `LLMOPS_SPANS_FILTER`): `llm` (the default) keeps the spans of LLM instrumentors, of `trace()`
   * and of the app's own tracers, and spans with GenAI attributes, and drops framework and infrastructure spans
   * (Next.js, HTTP, fs...); `all` keeps every span.
   */
  readonly filter: "llm" | "all";
}

/**
 * What {@link Platform.checkConfig} receives.
 *
 * @example
 * ```ts
 * const checkConfig = ({ section, appRoot }: ConfigCheckContext<{ certificate_file?: string }>) => {
 *   const issue = checkCertificateFile({ file: section.certificate_file, appRoot, key: "acme.certificate_file", server: "the collector" });
 *   return issue === undefined ? [] : [issue];
 * };
 * ```
 */
export interface ConfigCheckContext<Section> {
  /** The platform's section, validated, defaults applied. */
  readonly section: Section;
  /** The app's root folder: relative paths in the section are read from it. */
  readonly appRoot: string;
  /** The environment the configuration was read with. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `strict` throws on any problem; `permissive` (the default) warns once and carries on without tracing. */
export type ValidationMode = "strict" | "permissive";

/**
 * The shared sections of a configuration, as written in the file (snake_case keys).
 *
 * @example
 * ```ts
 * import type { SharedConfigSections } from "@llmops/core";
 *
 * const shared: SharedConfigSections = { service: { name: "my-app" }, validation: { mode: "strict" }, instrumentation: { openai: true } };
 * ```
 */
export interface SharedConfigSections {
  /** `service:` */
  readonly service?: { readonly name?: string; readonly version?: string | number; readonly environment?: string };
  /** `instrumentation:` — instrumentor key to on/off. */
  readonly instrumentation?: Readonly<Record<string, boolean>> | null;
  /** `validation:` */
  readonly validation?: { readonly mode?: ValidationMode } | null;
  /** `export:` — the export queue's memory bound. */
  readonly export?: { readonly queue_memory_mb?: number } | null;
  /** `privacy:` — what instrumentors leave out of spans. */
  readonly privacy?: {
    readonly hide_inputs?: boolean;
    readonly hide_outputs?: boolean;
    readonly hide_input_messages?: boolean;
    readonly hide_output_messages?: boolean;
    readonly hide_input_images?: boolean;
    readonly hide_input_text?: boolean;
    readonly hide_output_text?: boolean;
    readonly hide_embedding_vectors?: boolean;
    readonly base64_image_max_length?: number;
    /** Built-in detector (or `all`) to action, e.g. `{ email: "hash", all: "redact" }`. */
    readonly detectors?: Readonly<Record<string, PrivacyAction>> | string | null;
    /** Detectors of your own: a name, a regular expression, an action. */
    readonly custom_detectors?: readonly { readonly name: string; readonly pattern: string; readonly action?: PrivacyAction; readonly ignore_case?: boolean }[] | null;
    /** The key of the `hash` action; `LLMOPS_PRIVACY_SALT` sets it too. */
    readonly salt?: string;
    /** Characters of one value scanned; the rest is cut off. */
    readonly max_scan_length?: number;
    /** More span attributes to scan: exact names, or prefixes ending in `*`. */
    readonly extra_attributes?: readonly string[] | null;
  } | null;
  /** `pricing:` — cost of LLM spans (docs/cost.md). */
  readonly pricing?: { readonly enabled?: boolean | string; readonly builtin?: boolean; readonly models?: Readonly<Record<string, ModelPrice>> } | null;
  /** `sampling:` — which traces are kept (docs/sampling.md). */
  readonly sampling?: { readonly ratio?: number | string; readonly keep_errors?: boolean; readonly keep_slower_than_ms?: number; readonly max_buffered_spans?: number } | null;
  /** `spans:` — which spans reach the platform. */
  readonly spans?: { readonly filter?: "llm" | "all" } | null;
}
