import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { globalState } from "../internal/global-state";
import { loadedOtelApi, otelApi } from "../internal/otel-api";
import type { OtelApi } from "../internal/otel-api";
import { VERSION } from "../version";

/** What a traced call needs when tracing is on: the API and llmops's tracer. */
export interface ActiveTracer {
  readonly api: OtelApi;
  readonly tracer: Tracer;
}

/** The instrumentation scope of llmops's own spans. */
const SCOPE = "@llmops/core";
const tracers = new WeakMap<TracerProvider, Tracer>();

/**
 * The tracer of the running `instrument()` pipeline, or undefined when tracing is not started, failed to start or was
 * shut down. Read from the process-wide state on every call, synchronously and without loading anything: a traced
 * function in an app that never turns tracing on costs a property read.
 */
export function activeTracer(): ActiveTracer | undefined {
  const active = globalState().active;
  const provider = active?.tracerProvider;
  if (provider === undefined || active?.ended === true) return undefined;
  const api = loadedOtelApi();
  if (api === undefined) {
    // Another copy of core started the pipeline and this copy has not loaded the API yet: this call goes untraced,
    // the next ones are traced once it is loaded.
    otelApi().catch(() => {});
    return undefined;
  }
  let tracer = tracers.get(provider);
  if (tracer === undefined) {
    tracer = provider.getTracer(SCOPE, VERSION);
    tracers.set(provider, tracer);
  }
  return { api, tracer };
}
