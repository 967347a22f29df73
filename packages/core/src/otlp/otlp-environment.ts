import { OTLP_EXPORTER_PREFIX } from "../config/environment";

/**
 * Builds an OpenTelemetry OTLP exporter with `OTEL_EXPORTER_OTLP_*` hidden from it, so that what it sends is exactly
 * what the platform passed: llmops has already read those variables by its own precedence (explicit option ›
 * platform variable › config › generic variable), and the exporter must not apply them a second time.
 *
 * Left alone, the exporters read the variables in their constructors and merge them under the options given:
 * `OTEL_EXPORTER_OTLP_HEADERS` (another vendor's API key, say) is added to every request, and the
 * `OTEL_EXPORTER_OTLP_*CERTIFICATE`/`CLIENT_KEY` files become the TLS identity presented to the platform. The
 * variables are removed from `process.env` while `construct` runs and put back before this returns or throws.
 * `construct` must build the exporter synchronously (the exporters read the environment only in their constructors,
 * and no other code can run in between); pass every setting explicitly, since none comes from the environment.
 *
 * @param construct - builds the exporter, e.g. `() => new OTLPTraceExporter({ url, headers })`
 * @returns what `construct` returned
 *
 * @example
 * ```ts
 * import { constructWithoutOtlpEnvironment } from "@llmops/core";
 *
 * const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
 * const exporter = constructWithoutOtlpEnvironment(() => new OTLPTraceExporter({ url: target.url, headers: target.headers }));
 * ```
 */
export function constructWithoutOtlpEnvironment<T>(construct: () => T): T {
  const hidden: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith(OTLP_EXPORTER_PREFIX) || value === undefined) continue;
    hidden.push([name, value]);
    delete process.env[name];
  }
  try {
    return construct();
  } finally {
    for (const [name, value] of hidden) process.env[name] = value;
  }
}
