import type * as OpenTelemetryApi from "@opentelemetry/api";
import { globalState } from "./global-state";

/** The `@opentelemetry/api` module. */
export type OtelApi = typeof OpenTelemetryApi;

let api: OtelApi | undefined;

/**
 * Loads `@opentelemetry/api` (once). `import "@llmops/core"` does not load it: the pipeline awaits this first, so an
 * app that only imports core (types, `definePlatform`, the CLI) does not pay for it.
 */
export async function otelApi(): Promise<OtelApi> {
  api ??= await import("@opentelemetry/api");
  // Shared with the other copies of core in the process (the CommonJS one that ran `--require <platform>/register`
  // beside the app's ES module one), so that what needs the API at once finds it wherever tracing was started.
  globalState().otelApi ??= api;
  return api;
}

/** The API when {@link otelApi} has loaded it, in this copy of core or another one of the process. */
export function loadedOtelApi(): OtelApi | undefined {
  return api ?? (globalState().otelApi as OtelApi | undefined);
}
