import type { InstrumentationLike, InstrumentorContext, InstrumentorSpec } from "../contract/instrumentor";

/**
 * Builds an instrumentor from its package's export: through the spec's `create`, else as an OpenTelemetry
 * instrumentation class constructed disabled.
 */
export function createInstrumentor(spec: InstrumentorSpec, exported: unknown, options: InstrumentorContext): InstrumentationLike {
  if (spec.create !== undefined) return spec.create(exported, { tracerProvider: options.tracerProvider, config: options.config });
  if (typeof exported !== "function") throw new Error(`${spec.packageName}.${spec.exportName} is not a class`);
  const Constructor = exported as new (config: Readonly<Record<string, unknown>>) => InstrumentationLike;
  // Constructed disabled (OpenTelemetry's `enabled`, OpenInference's `instrumentationConfig.enabled`): the runner
  // decides between patching loaded modules and enabling the require hooks.
  const instance = new Constructor({
    tracerProvider: options.tracerProvider,
    ...(Object.keys(options.config.privacy).length > 0 ? { traceConfig: options.config.privacy } : {}),
    enabled: false,
    instrumentationConfig: { enabled: false },
  });
  instance.setTracerProvider?.(options.tracerProvider);
  return instance;
}
