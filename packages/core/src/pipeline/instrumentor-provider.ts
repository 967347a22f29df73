import type { Context, Span, SpanOptions, Tracer, TracerOptions, TracerProvider } from "@opentelemetry/api";
import { globalState } from "../internal/global-state";

/**
 * The TracerProvider instrumentors are built with. An instrumentor keeps the provider (and the tracer it got from it)
 * for the life of the process, and a client library is never patched twice; so that an `instrument()` after
 * `shutdown()` traces those clients again, instrumentors get this forwarder, and each pipeline points it at its
 * own provider. One per process, shared by every copy of core.
 */
export interface InstrumentorTracerProvider extends TracerProvider {
  /** The provider spans go to now. */
  target: TracerProvider;
}

/**
 * The process's forwarder, pointed at `target`.
 *
 * @param target - the provider of the pipeline being set up
 */
export function instrumentorProvider(target: TracerProvider): InstrumentorTracerProvider {
  const state = globalState();
  if (state.instrumentorProvider !== undefined) {
    state.instrumentorProvider.target = target;
    return state.instrumentorProvider;
  }
  const forwarder: InstrumentorTracerProvider = {
    target,
    getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
      // Looked up at each span: the SDK caches its tracers by name and version, so this is a map lookup.
      const current = (): Tracer => forwarder.target.getTracer(name, version, options);
      return {
        startSpan: (spanName: string, spanOptions?: SpanOptions, context?: Context): Span => current().startSpan(spanName, spanOptions, context),
        startActiveSpan: ((...args: unknown[]) => {
          const tracer = current();
          return (tracer.startActiveSpan as (...rest: unknown[]) => unknown).apply(tracer, args);
        }) as Tracer["startActiveSpan"],
      };
    },
  };
  state.instrumentorProvider = forwarder;
  return forwarder;
}
