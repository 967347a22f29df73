import { SEMRESATTRS_PROJECT_NAME } from "@arizeai/openinference-semantic-conventions";
import { redactUrl, travelsInClear } from "@llmops/core";
import { grpcOrigin, withTracesPath } from "@llmops/core/otlp";
import type { ServiceInfo } from "@llmops/core";
import type { ArizeSection } from "../config/section";

/** Arize AX's collector, used when `space_id` is set and no endpoint is (HTTP path, and gRPC origin). */
export const ARIZE_AX_HTTP_ENDPOINT = "https://otlp.arize.com/v1/traces";
export const ARIZE_AX_GRPC_ENDPOINT = "https://otlp.arize.com";

/** Where spans go and how they are labelled: everything the exporter needs except TLS. */
export interface ExportTarget {
  /** `phoenix` or `ax` (Arize AX, chosen by `space_id`). */
  readonly kind: "phoenix" | "ax";
  /** The URL the exporter posts to. */
  readonly url: string;
  /** Headers of every export request (may hold secrets: never log them). */
  readonly headers: Readonly<Record<string, string>>;
  /** Resource attributes that route the spans to the project. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** A description for messages, without secrets. */
  readonly description: string;
}

/**
 * Resolves the Phoenix or Arize AX target from the section.
 *
 * - Phoenix: `authorization: Bearer <api_key>`, the project in the `openinference.project.name` resource attribute,
 *   `/v1/traces` appended to an HTTP endpoint that lacks it.
 * - Arize AX (`space_id` set): `arize-space-id` and `arize-api-key` headers, the project (default: the service name) in
 *   `openinference.project.name` and in `model_id`, which AX also reads for routing.
 *
 * `headers` from the section go last, so a user can override any of these.
 */
export function resolveTarget(section: ArizeSection, service: ServiceInfo): ExportTarget {
  const ax = section.space_id !== undefined;
  const grpc = section.transport === "grpc";
  const raw = section.endpoint ?? (grpc ? ARIZE_AX_GRPC_ENDPOINT : ARIZE_AX_HTTP_ENDPOINT);
  const url = grpc ? grpcOrigin(raw) : withTracesPath(raw);
  const headers: Record<string, string> = {};
  const resourceAttributes: Record<string, string> = {};
  if (ax) {
    headers["arize-space-id"] = section.space_id ?? "";
    if (section.api_key !== undefined) headers["arize-api-key"] = section.api_key;
    headers["arize-interface"] = "otel";
    const project = section.project_name ?? service.name;
    resourceAttributes[SEMRESATTRS_PROJECT_NAME] = project;
    resourceAttributes.model_id = project;
  } else {
    if (section.api_key !== undefined) headers.authorization = `Bearer ${section.api_key}`;
    if (section.project_name !== undefined) resourceAttributes[SEMRESATTRS_PROJECT_NAME] = section.project_name;
  }
  Object.assign(headers, section.headers);
  const project = resourceAttributes[SEMRESATTRS_PROJECT_NAME] ?? "default";
  const description = `${ax ? "Arize AX" : "Phoenix"} at ${redactUrl(url)} (project "${project}", ${section.transport})`;
  return { kind: ax ? "ax" : "phoenix", url, headers, resourceAttributes, description };
}

/** True when an API key would travel unencrypted to another machine: plain HTTP to a host that is not loopback. */
export function sendsKeyInClear(section: ArizeSection, url: string): boolean {
  return section.api_key !== undefined && travelsInClear(url);
}
