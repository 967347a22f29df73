import type { DiagLogger, TracerProvider } from "@opentelemetry/api";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ConfigIssue } from "../errors/llmops-error";
import type { SpanExporterFactory } from "../provider/deferred-exporter";
import type { GenericSchema, InferInput, InferOutput } from "valibot";

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

/**
 * What an instrumentor instance needs to offer: the shape of an OpenTelemetry `Instrumentation`.
 * Every method is optional so that instrumentors of other shapes can be wrapped by `InstrumentorSpec.create`.
 */
export interface InstrumentationLike {
  /** Starts patching (for require hooks: modules loaded from now on). */
  enable?(): void;
  /** Stops patching. */
  disable?(): void;
  /** Points the instrumentation at a TracerProvider. */
  setTracerProvider?(tracerProvider: TracerProvider): void;
  /** Patches a module the app has already loaded (the ESM path). */
  manuallyInstrument?(moduleExports: unknown): void;
}

/** What {@link InstrumentorSpec.create} receives. */
export interface InstrumentorContext {
  /** The TracerProvider of this `instrument()` call. */
  readonly tracerProvider: TracerProvider;
  /** The resolved configuration's shared sections and the platform's section. */
  readonly config: ResolvedConfig<unknown>;
}

/**
 * One more module an instrumentor patches: see {@link InstrumentorSpec.moreModules}.
 *
 * @example
 * ```ts
 * import type { InstrumentorSpec } from "@llmops/core";
 * const mcp: InstrumentorSpec = {
 *   key: "mcp",
 *   packageName: "@arizeai/openinference-instrumentation-mcp",
 *   exportName: "MCPInstrumentation",
 *   moduleName: "@modelcontextprotocol/sdk/client/stdio.js",
 *   manuallyInstrumentKey: "clientStdioModule",
 *   moreModules: [{ moduleName: "@modelcontextprotocol/sdk/server/stdio.js", manuallyInstrumentKey: "serverStdioModule" }],
 * };
 * ```
 */
export interface InstrumentorModule {
  /** The module as the app imports it, e.g. `@modelcontextprotocol/sdk/server/stdio.js`. */
  readonly moduleName: string;
  /** The property of `manuallyInstrument`'s argument that carries it; the module itself when absent. */
  readonly manuallyInstrumentKey?: string;
}

/**
 * One entry of a platform's instrumentor registry (seed 000 §8.1: config key, module, export).
 * The package is resolved from the app, imported only when the key is enabled, and applied in isolation.
 */
export interface InstrumentorSpec {
  /** Key under `instrumentation:` in the config file, e.g. `openai`. */
  readonly key: string;
  /** npm package of the instrumentor, e.g. `@arizeai/openinference-instrumentation-openai`. */
  readonly packageName: string;
  /** The export to construct, e.g. `OpenAIInstrumentation`. */
  readonly exportName: string;
  /**
   * The module the instrumentor patches, as the app imports it, e.g. `openai` or `@langchain/core/callbacks/manager`:
   * core's require and import hooks watch this name, and it is a key of `instrument({ modules })` (as is `key`).
   */
  readonly moduleName: string;
  /** More keys `instrument({ modules })` accepts for this module, e.g. `langchainCallbacks`. */
  readonly moduleAliases?: readonly string[];
  /**
   * For an instrumentor whose `manuallyInstrument` takes an object of modules rather than the module itself: the
   * property that carries `moduleName`, e.g. `clientStdioModule` for `manuallyInstrument({ clientStdioModule })`.
   */
  readonly manuallyInstrumentKey?: string;
  /**
   * More modules the same instrumentor patches, each watched and handed to `manuallyInstrument` like `moduleName`
   * (and accepted by `instrument({ modules })` under its module name), e.g. the transports of the MCP SDK.
   */
  readonly moreModules?: readonly InstrumentorModule[];
  /**
   * Environment variables set in `process.env`, when they are not set already, once the instrumentor is applied:
   * for a client library whose own tracing would repeat the instrumentor's spans (e.g. `ANTHROPIC_OPEN_TELEMETRY`).
   */
  readonly environmentDefaults?: Readonly<Record<string, string>>;
  /**
   * Builds the instance, not yet enabled; by default `new Export({ tracerProvider, traceConfig, enabled: false,
   * instrumentationConfig: { enabled: false } })` followed by `setTracerProvider` (OpenTelemetry and OpenInference
   * conventions; `traceConfig` is the `privacy:` section). When the instance has `manuallyInstrument`, the runner
   * calls it for every copy of the module: already loaded, handed in with `modules`, and (through core's require and
   * import hooks) loaded later, each copy once. An instance without it gets `enable()` (its own require hooks).
   */
  readonly create?: (exported: unknown, context: InstrumentorContext) => InstrumentationLike;
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
  /** The platform's own section. */
  readonly section: Section;
  /** The file the configuration came from, if any. */
  readonly file?: string;
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
 * The contract every platform implements (seed 000 §4, in TypeScript). Write one with {@link definePlatform}.
 */
export interface Platform<Section = unknown, Input = unknown, SectionName extends string = string> {
  /** Identifier used in `getPlatform(name)`, e.g. `arize`. */
  readonly name: string;
  /** Its section in the config file, e.g. `arize`. */
  readonly configSection: SectionName;
  /** The npm package that provides it, for install hints, e.g. `@llmops/platform-arize`. */
  readonly packageName: string;
  /** valibot schema of the section; defaults belong in it (`v.optional(schema, default)`). Its input type types `instrument({ config })`. */
  readonly schema: GenericSchema<Input, Section>;
  /** Environment variables that override keys of the section. */
  readonly environment?: readonly EnvironmentOverride[];
  /** Instrumentors this platform applies, in order. */
  readonly instrumentors: readonly InstrumentorSpec[];
  /**
   * Throws {@link MissingDependencyError} when something the platform needs is missing.
   * Runs first in `instrument()`.
   */
  checkDependencies?(context: { readonly appRoot: string; readonly section: unknown }): void | Promise<void>;
  /**
   * Checks of the validated section that its schema cannot make, such as whether a file it names can be read
   * ({@link checkCertificateFile}). Creates and starts nothing: `instrument()` and `llmops validate` both run it right
   * after validation and report what it returns as configuration issues, so the two agree. Paths are dotted keys,
   * e.g. `acme.certificate_file`; messages never hold a secret.
   *
   * @example
   * ```ts
   * checkConfig({ section, appRoot }) {
   *   const issue = checkCertificateFile({ file: section.certificate_file, appRoot, key: "acme.certificate_file", server: "the collector" });
   *   return issue === undefined ? [] : [issue];
   * }
   * ```
   */
  checkConfig?(context: ConfigCheckContext<Section>): readonly ConfigIssue[] | Promise<readonly ConfigIssue[]>;
  /** Creates the TracerProvider that exports to this platform. */
  createTracerProvider(context: ProviderContext<Section>): Promise<ManagedTracerProvider>;
}

/** What {@link definePlatform} takes: a {@link Platform} whose section type comes from its schema. */
export interface PlatformDefinition<TSchema extends GenericSchema, TSectionName extends string = string> extends Omit<Platform<InferOutput<TSchema>>, "schema" | "configSection"> {
  /** Its section in the config file, e.g. `arize`. */
  readonly configSection: TSectionName;
  /** valibot schema of the section. */
  readonly schema: TSchema;
}

/**
 * Declares a platform, inferring its section type from the valibot schema: the validated section its provider
 * factory gets, and the shape `instrument({ config })` accepts for it (see {@link PlatformConfig}).
 *
 * @param definition - the platform's name, section, package, schema, instrumentors and provider factory
 * @returns the same object, typed as {@link Platform}
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { definePlatform } from "@llmops/core";
 *
 * export const platform = definePlatform({
 *   name: "acme",
 *   configSection: "acme",
 *   packageName: "acme-llmops-platform-acme",
 *   schema: v.object({ endpoint: v.pipe(v.string(), v.url()) }),
 *   instrumentors: [],
 *   async createTracerProvider({ section, assembleTracerProvider }) {
 *     // A factory: the exporter's modules load at the first export, not at start-up.
 *     const createExporter = async () => {
 *       const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
 *       return new OTLPTraceExporter({ url: section.endpoint });
 *     };
 *     return assembleTracerProvider({ exporters: [createExporter] });
 *   },
 * });
 * ```
 */
export function definePlatform<TSchema extends GenericSchema, TSectionName extends string = string>(
  definition: PlatformDefinition<TSchema, TSectionName>,
): Platform<InferOutput<TSchema>, InferInput<TSchema>, TSectionName> {
  return definition as Platform<InferOutput<TSchema>, InferInput<TSchema>, TSectionName>;
}

/**
 * Platforms known to the type system. Platform packages add themselves by declaration merging,
 * which makes `getPlatform("name")` return a typed handle wherever the package's types are visible.
 *
 * @example
 * ```ts
 * declare module "@llmops/core" {
 *   interface PlatformRegistry {
 *     acme: typeof platform;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlatformRegistry {}

/** The section type of a platform. */
export type SectionOf<P> = P extends Platform<infer S> ? S : unknown;

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
  } | null;
}

/**
 * What `instrument({ config })` accepts for platform `P`: the config file's shape, with the shared sections and the
 * platform's own section typed from its schema (`local: { print_tree: "yes" }` does not compile). Sections of other
 * platforms are accepted as they are, as in a file shared between platforms. For a platform whose section name is not
 * a literal type (one declared without {@link definePlatform}), any object.
 *
 * @example
 * ```ts
 * import type { PlatformConfig } from "@llmops/core";
 * import { platform } from "@llmops/platform-local";
 *
 * const config: PlatformConfig<typeof platform> = { service: { name: "my-app" }, local: { print_tree: true } };
 * ```
 */
export type PlatformConfig<P> = P extends { readonly configSection: infer SectionName extends string; readonly schema: infer Schema extends GenericSchema }
  ? string extends SectionName
    ? Readonly<Record<string, unknown>>
    : SharedConfigSections & { readonly [K in SectionName]?: InferInput<Schema> } & Readonly<Record<string, unknown>>
  : Readonly<Record<string, unknown>>;
