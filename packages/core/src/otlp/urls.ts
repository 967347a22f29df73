/**
 * An OTLP/HTTP endpoint as a traces URL: `/v1/traces` appended to its path unless the path already ends with it, the
 * rule OpenTelemetry applies to `OTEL_EXPORTER_OTLP_ENDPOINT`.
 *
 * @param endpoint - an `http://` or `https://` URL, e.g. `http://127.0.0.1:4318`
 * @returns the URL spans are posted to, e.g. `http://127.0.0.1:4318/v1/traces`
 *
 * @example
 * ```ts
 * import { withTracesPath } from "@llmops/core/otlp";
 * withTracesPath("http://127.0.0.1:4318/otlp"); // "http://127.0.0.1:4318/otlp/v1/traces"
 * ```
 */
export function withTracesPath(endpoint: string): string {
  const url = new URL(endpoint);
  if (!url.pathname.replace(/\/+$/, "").endsWith("/v1/traces")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/traces`;
  return url.toString();
}

/**
 * An endpoint reduced to what gRPC addresses: scheme, host and port (a path would be ignored by the exporter with a
 * warning).
 *
 * @param endpoint - an `http://` (plain) or `https://` (TLS) URL
 * @returns `scheme://host:port`
 *
 * @example
 * ```ts
 * import { grpcOrigin } from "@llmops/core/otlp";
 * grpcOrigin("https://otlp.example.com:4317/ignored"); // "https://otlp.example.com:4317"
 * ```
 */
export function grpcOrigin(endpoint: string): string {
  const parsed = new URL(endpoint);
  return `${parsed.protocol}//${parsed.host}`;
}
