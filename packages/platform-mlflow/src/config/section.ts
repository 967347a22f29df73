import * as v from "valibot";
import type { EnvironmentOverride } from "@llmops/core";
import { OTLP_TIMEOUT_ENVIRONMENT, otlpSectionEntries } from "@llmops/core/otlp";

const nonEmpty = v.pipe(v.string(), v.nonEmpty("must not be empty"));

/** True for a Databricks tracking URI (`databricks`, `databricks://profile`, `databricks-uc`) or workspace host. */
export function isDatabricksUri(uri: string): boolean {
  if (/^databricks(-uc)?(:|$)/i.test(uri.trim())) return true;
  try {
    const host = new URL(uri).hostname.toLowerCase();
    return /(^|\.)(cloud\.databricks\.com|azuredatabricks\.net|gcp\.databricks\.com)$/.test(host);
  } catch {
    return false;
  }
}

/** The message for a Databricks tracking URI: not a silent failure, and what to do instead. */
export const DATABRICKS_NOT_SUPPORTED =
  "Databricks tracking URIs are not supported yet by @llmops/platform-mlflow. Point tracking_uri at an MLflow tracking server (http:// or https://, e.g. http://localhost:5000).";

function trackingUriProblem(uri: string): string | undefined {
  if (isDatabricksUri(uri)) return DATABRICKS_NOT_SUPPORTED;
  if (!/^https?:\/\//i.test(uri)) return "must start with http:// or https://, e.g. http://localhost:5000";
  try {
    new URL(uri);
    return undefined;
  } catch {
    return "must be a URL, e.g. http://localhost:5000";
  }
}

/**
 * The valibot schema of the `mlflow:` section: the keys of the reference config file (`tracking_uri`, `experiment_name`) plus
 * `experiment_id`, `headers`, `timeout_ms`, TLS (`certificate_file`, `insecure_tls`), auth (`token`, or `username`
 * with `password`), `workspace`, `run_id`, `batch_spans`, `debug` and `compression`. `tracking_uri` is required;
 * Databricks URIs are refused with a message saying so.
 */
export const mlflowSchema = v.pipe(
  v.object({
    /** The MLflow tracking server, e.g. `http://localhost:5000`. Spans go to `<tracking_uri>/v1/traces`. */
    tracking_uri: v.pipe(
      v.string("is required, e.g. http://localhost:5000"),
      v.check(
        (uri) => trackingUriProblem(uri) === undefined,
        (issue) => trackingUriProblem(String(issue.input)) ?? "is not a valid tracking URI",
      ),
    ),
    /** Experiment to log to, by name: created when absent. Default: the service name. */
    experiment_name: v.optional(nonEmpty),
    /** Experiment to log to, by id: wins over `experiment_name`. */
    experiment_id: v.optional(v.union([nonEmpty, v.pipe(v.number(), v.integer(), v.minValue(0), v.transform(String))], "must be a string or an integer")),
    /** Bearer token (`authorization: Bearer <token>`), as MLflow's `MLFLOW_TRACKING_TOKEN`. */
    token: v.optional(nonEmpty),
    /** Basic auth user name, as MLflow's `MLFLOW_TRACKING_USERNAME`; needs `password`. */
    username: v.optional(nonEmpty),
    /** Basic auth password, as MLflow's `MLFLOW_TRACKING_PASSWORD`. */
    password: v.optional(nonEmpty),
    /** MLflow workspace, sent as the `x-mlflow-workspace` header (servers with workspaces enabled). */
    workspace: v.optional(nonEmpty),
    /** Run to link the traces to, sent as the `x-mlflow-run-id` header. */
    run_id: v.optional(nonEmpty),
    /** Skip TLS certificate verification (testing only), as MLflow's `MLFLOW_TRACKING_INSECURE_TLS`. */
    insecure_tls: v.optional(v.boolean(), false),
    /** `headers`, `timeout_ms`, `compression`, `batch_spans`, `debug`, `certificate_file`: the keys every OTLP platform shares. */
    ...otlpSectionEntries,
  }),
  v.forward(
    v.check((section) => section.username === undefined || section.password !== undefined, "is required with username (basic auth)"),
    ["password"],
  ),
  v.forward(
    v.check((section) => section.password === undefined || section.username !== undefined, "is required with password (basic auth)"),
    ["username"],
  ),
);

/**
 * The `mlflow:` section after validation, defaults applied.
 *
 * @example
 * ```ts
 * import type { MlflowSection } from "@llmops/platform-mlflow";
 * const local: Partial<MlflowSection> = { tracking_uri: "http://localhost:5000", experiment_name: "my-experiment" };
 * ```
 */
export type MlflowSection = v.InferOutput<typeof mlflowSchema>;

/**
 * Environment variables over the `mlflow:` keys: MLflow's own names, so an environment set up for MLflow works as is;
 * they win over the config file.
 */
export const MLFLOW_ENVIRONMENT: readonly EnvironmentOverride[] = [
  { variable: "MLFLOW_TRACKING_URI", key: "tracking_uri" },
  { variable: "MLFLOW_EXPERIMENT_ID", key: "experiment_id" },
  { variable: "MLFLOW_EXPERIMENT_NAME", key: "experiment_name" },
  { variable: "MLFLOW_TRACKING_TOKEN", key: "token" },
  { variable: "MLFLOW_TRACKING_USERNAME", key: "username" },
  { variable: "MLFLOW_TRACKING_PASSWORD", key: "password" },
  { variable: "MLFLOW_WORKSPACE", key: "workspace" },
  { variable: "MLFLOW_RUN_ID", key: "run_id" },
  { variable: "MLFLOW_TRACKING_SERVER_CERT_PATH", key: "certificate_file" },
  { variable: "MLFLOW_TRACKING_INSECURE_TLS", key: "insecure_tls", kind: "boolean" },
  // OpenTelemetry's generic exporter variables: only the time limit applies, and only when the file sets none. The
  // endpoint and headers ones name some other collector; they never reach the tracking server.
  ...OTLP_TIMEOUT_ENVIRONMENT,
];
