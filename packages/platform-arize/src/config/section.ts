import * as v from "valibot";
import type { EnvironmentOverride } from "@llmops/core";
import { OTLP_TIMEOUT_ENVIRONMENT, otlpSectionEntries } from "@llmops/core/otlp";

const nonEmpty = v.pipe(v.string(), v.nonEmpty("must not be empty"));

/**
 * The valibot schema of the `arize:` section: the keys of the reference config file (`endpoint`, `project_name`, `api_key`,
 * `space_id`, `transport`, `batch_spans`, `debug`, `certificate_file`) plus `headers`, `compression` and `timeout_ms`.
 * `endpoint` is required for Phoenix; with `space_id` (Arize AX) it defaults to Arize's collector and `api_key` is required.
 */
export const arizeSchema = v.pipe(
  v.object({
    /** OTLP endpoint. Phoenix: `http://localhost:6006` (`/v1/traces` is appended when missing). */
    endpoint: v.optional(
      v.pipe(v.string(), v.regex(/^https?:\/\//i, "must start with http:// or https://, e.g. http://localhost:6006/v1/traces"), v.url("must be a URL, e.g. http://localhost:6006/v1/traces")),
    ),
    /** Phoenix project, or Arize AX project (default: the service name). */
    project_name: v.optional(nonEmpty),
    /** Phoenix API key (sent as a bearer token) or Arize AX API key. */
    api_key: v.optional(nonEmpty),
    /** Arize AX space ID: setting it selects Arize AX. */
    space_id: v.optional(nonEmpty),
    /** `http` (OTLP/HTTP protobuf) or `grpc` (needs @opentelemetry/exporter-trace-otlp-grpc). */
    transport: v.optional(v.picklist(["http", "grpc"]), "http"),
    /** `headers`, `timeout_ms`, `compression`, `batch_spans`, `debug`, `certificate_file`: the keys every OTLP platform shares. */
    ...otlpSectionEntries,
  }),
  v.forward(
    v.check((section) => section.space_id !== undefined || section.endpoint !== undefined, "is required for Phoenix (or set space_id for Arize AX)"),
    ["endpoint"],
  ),
  v.forward(
    v.check((section) => section.space_id === undefined || section.api_key !== undefined, "is required for Arize AX (space_id is set)"),
    ["api_key"],
  ),
);

/**
 * The `arize:` section after validation, defaults applied.
 *
 * @example
 * ```ts
 * import type { ArizeSection } from "@llmops/platform-arize";
 * const phoenix: Partial<ArizeSection> = { endpoint: "http://localhost:6006", project_name: "my-project" };
 * ```
 */
export type ArizeSection = v.InferOutput<typeof arizeSchema>;

/**
 * Environment variables over the `arize:` keys. For each key the first variable set wins: Arize's own names, then
 * Phoenix's; both win over the config file. OpenTelemetry's generic exporter variables come last and only fill what
 * nothing else set: a cluster-wide `OTEL_EXPORTER_OTLP_ENDPOINT` never redirects a configured Phoenix or Arize AX
 * (nor does it apply with `space_id`, which names AX's collector), and generic headers go only to a generic endpoint.
 */
export const ARIZE_ENVIRONMENT: readonly EnvironmentOverride[] = [
  { variable: "ARIZE_COLLECTOR_ENDPOINT", key: "endpoint" },
  { variable: "PHOENIX_COLLECTOR_ENDPOINT", key: "endpoint" },
  { variable: "ARIZE_API_KEY", key: "api_key" },
  { variable: "PHOENIX_API_KEY", key: "api_key" },
  { variable: "ARIZE_SPACE_ID", key: "space_id" },
  { variable: "ARIZE_PROJECT_NAME", key: "project_name" },
  { variable: "PHOENIX_PROJECT_NAME", key: "project_name" },
  { variable: "PHOENIX_CLIENT_HEADERS", key: "headers", kind: "headers" },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", key: "endpoint", generic: { unlessSet: ["space_id"] } },
  { variable: "OTEL_EXPORTER_OTLP_ENDPOINT", key: "endpoint", generic: { unlessSet: ["space_id"] } },
  { variable: "OTEL_EXPORTER_OTLP_TRACES_HEADERS", key: "headers", kind: "headers", generic: { unlessSet: ["endpoint", "space_id"] } },
  { variable: "OTEL_EXPORTER_OTLP_HEADERS", key: "headers", kind: "headers", generic: { unlessSet: ["endpoint", "space_id"] } },
  ...OTLP_TIMEOUT_ENVIRONMENT,
];
