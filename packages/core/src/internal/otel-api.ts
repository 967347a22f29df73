import type * as OpenTelemetryApi from "@opentelemetry/api";

/** The `@opentelemetry/api` module. */
export type OtelApi = typeof OpenTelemetryApi;

let api: OtelApi | undefined;

/**
 * Loads `@opentelemetry/api` (once). `import "@llmops/core"` does not load it: the pipeline awaits this first, so an
 * app that only imports core (types, `definePlatform`, the CLI) does not pay for it.
 */
export async function otelApi(): Promise<OtelApi> {
  api ??= await import("@opentelemetry/api");
  return api;
}

/** The API when {@link otelApi} has loaded it. */
export function loadedOtelApi(): OtelApi | undefined {
  return api;
}
