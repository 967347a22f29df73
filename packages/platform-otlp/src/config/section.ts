import * as v from "valibot";
import type { EnvironmentOverride } from "@llmops/core";
import { OTLP_TIMEOUT_ENVIRONMENT, otlpSectionEntries } from "@llmops/core/otlp";

const httpUrl = (example: string) => v.pipe(v.string(), v.regex(/^https?:\/\//i, `must start with http:// or https://, e.g. ${example}`), v.url(`must be a URL, e.g. ${example}`));
const pemFile = v.pipe(v.string(), v.nonEmpty("must not be empty"));

/**
 * The wire formats of OTLP, named as `OTEL_EXPORTER_OTLP_PROTOCOL` names them.
 *
 * @example
 * ```ts
 * import { OTLP_PROTOCOLS } from "@llmops/platform-otlp";
 * OTLP_PROTOCOLS.includes("grpc"); // true
 * ```
 */
export const OTLP_PROTOCOLS = ["http/protobuf", "http/json", "grpc"] as const;

/**
 * The attribute conventions spans can be sent in: OpenInference's, or OpenTelemetry's GenAI conventions.
 *
 * @example
 * ```ts
 * import { SEMANTIC_CONVENTIONS } from "@llmops/platform-otlp";
 * SEMANTIC_CONVENTIONS; // ["openinference", "gen_ai"]
 * ```
 */
export const SEMANTIC_CONVENTIONS = ["openinference", "gen_ai"] as const;

/**
 * The valibot schema of the `otlp:` section.
 *
 * - `endpoint`: the collector's base URL; `/v1/traces` is appended for the HTTP protocols (gRPC uses scheme, host and
 *   port). Default `http://localhost:4318` (HTTP) or `http://localhost:4317` (gRPC), as in OpenTelemetry.
 * - `traces_endpoint`: the full traces URL, used as it is (wins over `endpoint`).
 * - `protocol`: `http/protobuf` (default), `http/json` or `grpc` (needs `@opentelemetry/exporter-trace-otlp-grpc`).
 * - `client_certificate_file` and `client_key_file`: PEM files for mutual TLS (both or neither).
 * - `semantic_conventions`: `openinference` (default) or `gen_ai` (OpenTelemetry GenAI attributes added to LLM spans).
 * - plus the keys every OTLP platform shares: `headers`, `timeout_ms`, `compression`, `batch_spans`, `debug`,
 *   `certificate_file`.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { otlpSchema } from "@llmops/platform-otlp";
 * const section = v.parse(otlpSchema, { endpoint: "http://127.0.0.1:4318", protocol: "http/json" });
 * ```
 */
export const otlpSchema = v.pipe(
  v.object({
    /** Base URL of the OTLP receiver. */
    endpoint: v.optional(httpUrl("http://localhost:4318")),
    /** Full traces URL, used as it is. */
    traces_endpoint: v.optional(httpUrl("http://localhost:4318/v1/traces")),
    /** OTLP wire format. */
    protocol: v.optional(v.picklist(OTLP_PROTOCOLS, `must be one of ${OTLP_PROTOCOLS.join(", ")}`), "http/protobuf"),
    /** Client certificate (PEM) for mutual TLS. */
    client_certificate_file: v.optional(pemFile),
    /** Client private key (PEM) for mutual TLS. */
    client_key_file: v.optional(pemFile),
    /** Attribute conventions of the spans sent. */
    semantic_conventions: v.optional(v.picklist(SEMANTIC_CONVENTIONS, `must be one of ${SEMANTIC_CONVENTIONS.join(", ")}`), "openinference"),
    ...otlpSectionEntries,
  }),
  v.forward(
    v.check((section) => (section.client_certificate_file === undefined) === (section.client_key_file === undefined), "needs client_certificate_file as well (mutual TLS takes both)"),
    ["client_key_file"],
  ),
);

/**
 * The `otlp:` section after validation, defaults applied.
 *
 * @example
 * ```ts
 * import type { OtlpPlatformSection } from "@llmops/platform-otlp";
 * const section: Partial<OtlpPlatformSection> = { endpoint: "http://127.0.0.1:4318", protocol: "grpc" };
 * ```
 */
export type OtlpPlatformSection = v.InferOutput<typeof otlpSchema>;

/**
 * Environment variables over the `otlp:` keys: llmops's own (`LLMOPS_OTLP_*`) override the config file; OpenTelemetry's
 * standard `OTEL_EXPORTER_OTLP_*` variables fill what nothing else set (the precedence core uses for every platform),
 * the per-signal `TRACES_` form before the general one. Generic headers and TLS files go only to a generic endpoint.
 *
 * @example
 * ```ts
 * import { OTLP_ENVIRONMENT } from "@llmops/platform-otlp";
 * console.log(OTLP_ENVIRONMENT.map((entry) => entry.variable).join(", "));
 * ```
 */
export const OTLP_ENVIRONMENT: readonly EnvironmentOverride[] = [
  { variable: "LLMOPS_OTLP_ENDPOINT", key: "endpoint" },
  { variable: "LLMOPS_OTLP_TRACES_ENDPOINT", key: "traces_endpoint" },
  { variable: "LLMOPS_OTLP_PROTOCOL", key: "protocol" },
  { variable: "LLMOPS_OTLP_HEADERS", key: "headers", kind: "headers" },
  { variable: "LLMOPS_OTLP_SEMANTIC_CONVENTIONS", key: "semantic_conventions" },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", key: "traces_endpoint", generic: { unlessSet: ["endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_ENDPOINT", key: "endpoint", generic: { unlessSet: ["traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", key: "protocol", generic: {} },
  { variable: "OTEL_EXPORTER_OTLP_PROTOCOL", key: "protocol", generic: {} },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_HEADERS", key: "headers", kind: "headers", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_HEADERS", key: "headers", kind: "headers", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", key: "compression", generic: {} },
  { variable: "OTEL_EXPORTER_OTLP_COMPRESSION", key: "compression", generic: {} },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", key: "certificate_file", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_CERTIFICATE", key: "certificate_file", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", key: "client_certificate_file", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", key: "client_certificate_file", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", key: "client_key_file", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  { variable: "OTEL_EXPORTER_OTLP_CLIENT_KEY", key: "client_key_file", generic: { unlessSet: ["endpoint", "traces_endpoint"] } },
  ...OTLP_TIMEOUT_ENVIRONMENT,
];
