import * as v from "valibot";
import type { EnvironmentOverride } from "../contract/config";

/**
 * The section keys every OTLP platform shares, as valibot entries to spread into the platform's `v.object({ ... })`:
 * `headers`, `timeout_ms`, `compression`, `batch_spans`, `debug` and `certificate_file`, with their defaults.
 * {@link defineOtlpPlatform} reads them; the platform adds the keys that name its server and credentials.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { otlpSectionEntries } from "@llmops/core/otlp";
 *
 * const acmeSchema = v.object({ endpoint: v.pipe(v.string(), v.url()), api_key: v.optional(v.string()), ...otlpSectionEntries });
 * ```
 */
export const otlpSectionEntries = {
  /** Extra headers sent with every request to the server. */
  headers: v.optional(v.record(v.string(), v.string()), {}),
  /** Time limit of one export, retries included, in milliseconds; core ends the export 1 s later whatever the server does. */
  timeout_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 10_000),
  /** `gzip` compresses export requests. */
  compression: v.optional(v.picklist(["none", "gzip"]), "none"),
  /** Batch spans (default) or send each as it ends. */
  batch_spans: v.optional(v.boolean(), true),
  /** Also print every span on the terminal. */
  debug: v.optional(v.boolean(), false),
  /** PEM file of the CA that signed the server's certificate, relative to the app root. */
  certificate_file: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty"))),
};

/**
 * The shared keys after validation, defaults applied: what a section built with {@link otlpSectionEntries} holds
 * besides the platform's own keys.
 *
 * @example
 * ```ts
 * import type { OtlpSection } from "@llmops/core/otlp";
 * const shared: OtlpSection = { headers: {}, timeout_ms: 10_000, compression: "none", batch_spans: true, debug: false };
 * ```
 */
export type OtlpSection = v.InferOutput<v.ObjectSchema<typeof otlpSectionEntries, undefined>>;

/**
 * OpenTelemetry's generic time-limit variables over `timeout_ms`: they fill it only when nothing else sets it (a
 * cluster sets them for every exporter). Put them last in the platform's `environment`, after its own variables.
 *
 * @example
 * ```ts
 * environment: [{ variable: "ACME_ENDPOINT", key: "endpoint" }, ...OTLP_TIMEOUT_ENVIRONMENT],
 * ```
 */
export const OTLP_TIMEOUT_ENVIRONMENT: readonly EnvironmentOverride[] = [
  { variable: "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", key: "timeout_ms", kind: "number", generic: {} },
  { variable: "OTEL_EXPORTER_OTLP_TIMEOUT", key: "timeout_ms", kind: "number", generic: {} },
];
