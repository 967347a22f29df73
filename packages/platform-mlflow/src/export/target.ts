import { redactUrl, travelsInClear } from "@llmops/core";
import type { ServiceInfo } from "@llmops/core";
import type { MlflowSection } from "../config/section";

/** Where spans go and how requests authenticate: everything but TLS and the experiment id. */
export interface MlflowTarget {
  /** The tracking server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** `<baseUrl>/v1/traces`: MLflow's OTLP/HTTP route. */
  readonly tracesUrl: string;
  /** Headers of every request, REST and OTLP (may hold secrets: never log them). */
  readonly headers: Readonly<Record<string, string>>;
  /** The experiment asked for: by id, or by name (default: the service name). */
  readonly experiment: { readonly id: string } | { readonly name: string };
  /** Which credential the requests carry, for messages: its kind and where it came from, never its value. */
  readonly credential: string;
  /** A description for messages, without secrets. */
  readonly description: string;
}

/**
 * Resolves the target from the section:
 * - basic auth (`username` + `password`) as `authorization: Basic …`, else `token` as `authorization: Bearer …`
 *   (MLflow's own order);
 * - `workspace` as `x-mlflow-workspace`, `run_id` as `x-mlflow-run-id`;
 * - `headers` from the section last, so a user can override any of these.
 */
export function resolveTarget(section: MlflowSection, service: ServiceInfo): MlflowTarget {
  const baseUrl = section.tracking_uri.trim().replace(/\/+$/, "");
  const headers: Record<string, string> = {};
  let credential = "no credentials";
  if (section.username !== undefined && section.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${section.username}:${section.password}`).toString("base64")}`;
    credential = "basic auth (mlflow.username / mlflow.password, or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD)";
  } else if (section.token !== undefined) {
    headers.authorization = `Bearer ${section.token}`;
    credential = "a bearer token (mlflow.token or MLFLOW_TRACKING_TOKEN)";
  }
  if (section.workspace !== undefined) headers["x-mlflow-workspace"] = section.workspace;
  if (section.run_id !== undefined) headers["x-mlflow-run-id"] = section.run_id;
  if (credential === "no credentials" && hasUserinfo(baseUrl)) {
    // Node sends a URL's user info as basic auth when no authorization header is set.
    credential = "basic auth from the user info of mlflow.tracking_uri";
  }
  for (const [name, value] of Object.entries(section.headers)) {
    if (name.toLowerCase() === "authorization") {
      delete headers.authorization;
      credential = "the authorization header of mlflow.headers";
    }
    headers[name] = value;
  }
  const experiment = section.experiment_id !== undefined ? { id: section.experiment_id } : { name: section.experiment_name ?? service.name };
  const which = "id" in experiment ? `experiment id ${experiment.id}` : `experiment "${experiment.name}"`;
  return { baseUrl, tracesUrl: `${baseUrl}/v1/traces`, headers, experiment, credential, description: `MLflow at ${redactUrl(baseUrl).replace(/\/$/, "")} (${which})` };
}

/** True when credentials would travel unencrypted to another machine: plain HTTP to a host that is not loopback. */
export function sendsCredentialsInClear(target: MlflowTarget): boolean {
  return (Object.keys(target.headers).some((name) => name.toLowerCase() === "authorization") || hasUserinfo(target.baseUrl)) && travelsInClear(target.baseUrl);
}

function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== "" || parsed.password !== "";
  } catch {
    return false;
  }
}
