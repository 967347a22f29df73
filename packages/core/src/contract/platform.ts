// The contract every platform implements, its typed registry, and the config type derived from it.
import type { ConfigIssue } from "../errors/llmops-error";
import type { GenericSchema, InferInput, InferOutput } from "valibot";
import type { ConfigCheckContext, EnvironmentOverride, SharedConfigSections } from "./config";
import type { InstrumentorSpec } from "./instrumentor";
import type { ManagedTracerProvider, ProviderContext } from "./provider";

/**
 * The contract every platform implements. Write one with {@link definePlatform}.
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
 *     // A factory: the exporter's modules load at the first export, not at start-up. The exporter package is the
 *     // platform's own dependency (or use `otlpHttpExporter` of `@llmops/core/otlp`, which ships with core).
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
