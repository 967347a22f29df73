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
  api ??= usable(await import("@opentelemetry/api"));
  // Shared with the other copies of core in the process (the CommonJS one that ran `--require <platform>/register`
  // beside the app's ES module one), so that what needs the API at once finds it wherever tracing was started.
  globalState().otelApi ??= api;
  return api;
}

/** The API when {@link otelApi} has loaded it, in this copy of core or another one of the process. */
export function loadedOtelApi(): OtelApi | undefined {
  return api ?? (globalState().otelApi as OtelApi | undefined);
}

/**
 * The module, when it is the API. A bundler can hand over an empty one: Rollup's single-file output
 * (`inlineDynamicImports`) may run this import before the bundled API's own code, and the import then gives `undefined`.
 */
function usable(loaded: OtelApi | undefined): OtelApi {
  if (typeof loaded?.trace?.getTracerProvider === "function" && typeof loaded.diag?.setLogger === "function") return loaded;
  throw new Error(
    "the module it gave is not the API (empty): a bundler ran llmops before the bundled API's own code, as Rollup's single-file output (inlineDynamicImports) can. " +
      "Keep @opentelemetry/api external to the bundle, or let the bundler write chunks",
  );
}
