import { redactUrl } from "@llmops/core";
import { grpcOrigin, withTracesPath } from "@llmops/core/otlp";
import type { OtlpPlatformSection } from "../config/section";

/** OpenTelemetry's default receiver addresses, used when neither `endpoint` nor `traces_endpoint` is set. */
export const DEFAULT_HTTP_ENDPOINT = "http://localhost:4318";
export const DEFAULT_GRPC_ENDPOINT = "http://localhost:4317";

/** How messages name the section's settings. */
export const OTLP_NAMES = { configSection: "otlp", endpointKey: "endpoint", server: "the OTLP receiver" } as const;

/**
 * The URL spans go to: `traces_endpoint` as it is, else `endpoint` with `/v1/traces` appended (HTTP), else
 * OpenTelemetry's default; for gRPC, scheme, host and port of the same.
 */
export function exportUrl(section: OtlpPlatformSection): string {
  if (section.protocol === "grpc") return grpcOrigin(section.traces_endpoint ?? section.endpoint ?? DEFAULT_GRPC_ENDPOINT);
  return section.traces_endpoint ?? withTracesPath(section.endpoint ?? DEFAULT_HTTP_ENDPOINT);
}

/** Names the destination in messages, e.g. `the OTLP receiver at http://127.0.0.1:4318/v1/traces (http/protobuf)`. */
export function describeTarget(url: string, section: OtlpPlatformSection): string {
  return `the OTLP receiver at ${redactUrl(url)} (${section.protocol}${section.semantic_conventions === "gen_ai" ? ", GenAI conventions" : ""})`;
}
