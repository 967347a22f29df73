import type { SpanExporter, SpanProcessor } from "../contract/sdk-types";
import type { GenericSchema, InferInput, InferOutput } from "valibot";
import type { EnvironmentOverride } from "../contract/config";
import type { InstrumentorSpec } from "../contract/instrumentor";
import type { ConfigCheckContext } from "../contract/config";
import type { Platform } from "../contract/platform";
import type { ConfigIssue } from "../errors/llmops-error";
import type { ManagedTracerProvider, ProviderContext } from "../contract/provider";
import type { SpanExporterFactory } from "../contract/provider";
import { checkCertificateFile, readCertificateFile } from "./certificate";
import { otlpHttpExporter } from "./http-exporter";
import type { OtlpSection } from "./section";
import { explainTransportError } from "./transport-errors";
import type { TransportNames } from "./transport-errors";
import { loadOtelSdk } from "../internal/otel-sdk";

/**
 * Where an OTLP platform's spans go, as its `target` hook resolves it from the section: what
 * {@link defineOtlpPlatform} needs on top of the shared section keys.
 *
 * @example
 * ```ts
 * const target: OtlpTarget = { url: "https://otlp.acme.example/v1/traces", headers: { authorization: "Bearer k" }, description: "Acme at https://otlp.acme.example" };
 * ```
 */
export interface OtlpTarget {
  /** The OTLP/HTTP URL spans are posted to, `/v1/traces` included. */
  readonly url: string;
  /** Headers of every export (or a function giving them before each export); the section's `headers` are the platform's to merge. Never logged. */
  readonly headers: Readonly<Record<string, string>> | (() => Promise<Record<string, string>>);
  /** Names the destination in messages, e.g. `Acme at https://otlp.acme.example (project "p")`. Never a secret. */
  readonly description: string;
  /** Resource attributes added to every span, e.g. project routing. */
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  /** False skips the server certificate check (testing only). Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Client certificate chain (PEM) for mutual TLS over OTLP/HTTP; needs `clientKey`. */
  readonly clientCertificate?: string;
  /** Client private key (PEM) for mutual TLS over OTLP/HTTP. */
  readonly clientKey?: string;
  /** Span processors placed before the exporters', e.g. one that rewrites attributes into another convention. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** An exporter factory used instead of OTLP/HTTP protobuf (another transport, such as gRPC). */
  readonly exporter?: SpanExporterFactory;
  /** The platform's own hint for a failed export (credentials, routes); undefined falls back to {@link explainTransportError}. */
  readonly explainExportError?: (error: Error | undefined) => string | undefined;
}

/**
 * What the `target` hook of {@link defineOtlpPlatform} receives: the provider context, and the CA of
 * `certificate_file`, already read.
 */
export interface OtlpTargetContext<Section> extends ProviderContext<Section> {
  /** The PEM text of `certificate_file`, when set. */
  readonly ca: string | undefined;
}

/**
 * What {@link defineOtlpPlatform} takes: the platform's names, its schema (built with `otlpSectionEntries`), its
 * environment and registry, the names its messages use, and the `target` hook.
 */
export interface OtlpPlatformDefinition<TSchema extends GenericSchema, TSectionName extends string> extends TransportNames {
  /** Identifier used in `getPlatform(name)`. */
  readonly name: string;
  /** Its section in the config file. */
  readonly configSection: TSectionName;
  /** The npm package that provides it, for install hints. */
  readonly packageName: string;
  /** valibot schema of the section: the platform's keys and `...otlpSectionEntries`. */
  readonly schema: TSchema;
  /** Environment variables that override keys of the section (end with `...OTLP_TIMEOUT_ENVIRONMENT`). */
  readonly environment?: readonly EnvironmentOverride[];
  /** Instrumentors this platform applies, in order. */
  readonly instrumentors: readonly InstrumentorSpec[];
  /** As {@link Platform.checkDependencies}: throw `MissingDependencyError` for a missing optional peer the section asks for. */
  checkDependencies?(context: { readonly appRoot: string; readonly section: unknown }): void | Promise<void>;
  /** More checks of the section for `llmops validate` and `instrument()`, besides the kit's own of `certificate_file`. */
  checkConfig?(context: ConfigCheckContext<InferOutput<TSchema>>): readonly ConfigIssue[];
  /** Resolves the target from the section; may warn through `context.logger`, and may throw (permissive mode turns it into one warning). */
  target(context: OtlpTargetContext<InferOutput<TSchema>>): OtlpTarget | Promise<OtlpTarget>;
  /** Builds the span processor of the exporter in place of the batch or simple one (see `AssembleProviderOptions.createSpanProcessor`). */
  createSpanProcessor?(context: ProviderContext<InferOutput<TSchema>>): ((exporter: SpanExporter, batch: boolean) => SpanProcessor) | undefined;
}

/**
 * Declares a platform that sends spans as OTLP: the platform gives its schema, a target and a registry list; the kit
 * does the rest the same way for every such platform. `certificate_file` is checked by `checkConfig` (so
 * `llmops validate` and `instrument()` agree) and read as the TLS CA; a CA or an `http://` URL that makes it useless
 * is warned about; the exporter is OTLP/HTTP protobuf (unless the target brings another) built by
 * {@link otlpHttpExporter}, created at the first export; `debug` adds a console exporter; `batch_spans`,
 * `timeout_ms`, the target's resource attributes and description go to core's provider assembly; export errors get
 * the target's hint, else {@link explainTransportError}'s.
 *
 * @param definition - names, schema, environment, instrumentors, and the `target` hook
 * @returns the platform, typed as `definePlatform` types it
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { openInferenceInstrumentors as oi } from "@llmops/core";
 * import { defineOtlpPlatform, otlpSectionEntries } from "@llmops/core/otlp";
 *
 * export const platform = defineOtlpPlatform({
 *   name: "acme",
 *   configSection: "acme",
 *   packageName: "acme-llmops-platform-acme",
 *   endpointKey: "endpoint",
 *   server: "the Acme collector",
 *   schema: v.object({ endpoint: v.pipe(v.string(), v.url()), ...otlpSectionEntries }),
 *   instrumentors: [oi.openai],
 *   target: ({ section }) => ({ url: `${section.endpoint}/v1/traces`, headers: section.headers, description: `Acme at ${section.endpoint}` }),
 * });
 * ```
 */
export function defineOtlpPlatform<TSchema extends GenericSchema<unknown, OtlpSection>, TSectionName extends string>(
  definition: OtlpPlatformDefinition<TSchema, TSectionName>,
): Platform<InferOutput<TSchema>, InferInput<TSchema>, TSectionName> {
  type Section = InferOutput<TSchema>;
  const names: TransportNames = { configSection: definition.configSection, endpointKey: definition.endpointKey, server: definition.server };
  const certificateKey = `${definition.configSection}.certificate_file`;
  const certificate = (section: OtlpSection, appRoot: string) => ({ file: section.certificate_file, appRoot, key: certificateKey, server: definition.server });
  return {
    name: definition.name,
    configSection: definition.configSection,
    packageName: definition.packageName,
    schema: definition.schema as GenericSchema<InferInput<TSchema>, Section>,
    ...(definition.environment === undefined ? {} : { environment: definition.environment }),
    instrumentors: definition.instrumentors,
    ...(definition.checkDependencies === undefined ? {} : { checkDependencies: (context) => definition.checkDependencies?.(context) }),
    checkConfig(context) {
      const issue = checkCertificateFile(certificate(context.section, context.appRoot));
      return [...(issue === undefined ? [] : [issue]), ...(definition.checkConfig?.(context) ?? [])];
    },
    async createTracerProvider(context: ProviderContext<Section>): Promise<ManagedTracerProvider> {
      const { section, logger } = context;
      const ca = readCertificateFile(certificate(section, context.appRoot));
      const target = await definition.target({ ...context, ca });
      // Reached only when checkConfig could read the file: a missing one is an issue, never this warning as well.
      if (section.certificate_file !== undefined && new URL(target.url).protocol === "http:") {
        logger.warn(`${certificateKey} is not used: ${definition.configSection}.${definition.endpointKey} is http://, so nothing is encrypted. Use an https:// ${definition.endpointKey} for TLS.`);
      }
      const exporter =
        target.exporter ??
        otlpHttpExporter({
          url: target.url,
          headers: target.headers,
          timeoutMillis: section.timeout_ms,
          compression: section.compression,
          ca,
          ...(target.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
          ...(target.clientCertificate === undefined ? {} : { clientCertificate: target.clientCertificate }),
          ...(target.clientKey === undefined ? {} : { clientKey: target.clientKey }),
        });
      // The target's processors first: the terminal then shows spans as the platform sends them.
      const spanProcessors = [...(target.spanProcessors ?? []), ...(section.debug ? [await consoleSpanProcessor()] : [])];
      const createSpanProcessor = definition.createSpanProcessor?.(context);
      logger.debug(`exporting to ${target.description}`);
      return context.assembleTracerProvider({
        exporters: [exporter],
        batch: section.batch_spans,
        spanProcessors,
        ...(target.resourceAttributes === undefined ? {} : { resourceAttributes: target.resourceAttributes }),
        exportTarget: target.description,
        explainExportError: (error) => target.explainExportError?.(error) ?? explainTransportError(error, { ...names, url: target.url, certificateFile: section.certificate_file }),
        exportTimeoutMillis: section.timeout_ms,
        ...(createSpanProcessor === undefined ? {} : { createSpanProcessor }),
      });
    },
  };
}

/** `debug: true`: every span also printed on the terminal as it ends. The SDK loads here, inside `instrument()`. */
async function consoleSpanProcessor(): Promise<SpanProcessor> {
  const { ConsoleSpanExporter, SimpleSpanProcessor } = await loadOtelSdk();
  return new SimpleSpanProcessor(new ConsoleSpanExporter());
}
