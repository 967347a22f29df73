import type { ResolvedConfig } from "../contract/config";
import type { InstrumentorSpec } from "../contract/instrumentor";
import type { ProviderContext } from "../contract/provider";
import { componentLogger } from "../internal/logger";
import { assembleTracerProvider } from "./assemble";
import { instrumentorSpanProcessors } from "./instrumentor-processors";
import type { TracingStatsCollector } from "./tracing-stats";

/**
 * What a platform's `createTracerProvider` receives, built one way for `instrument()` and for the conformance kit: the
 * resolved config, the app root and environment, a logger under the platform's name, and `assembleTracerProvider` bound
 * to the service, that logger and the pipeline's counters.
 */
export function providerContext<Section>(params: {
  readonly platformName: string;
  readonly config: ResolvedConfig<Section>;
  readonly appRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The counters behind `stats()`; the conformance kit has none to keep. */
  readonly stats?: TracingStatsCollector;
  /** Create exporters given as factories at their first export (permissive mode) rather than now. */
  readonly deferExporters?: boolean;
  /** The platform's registry: entries that convert a library's own spans bring a processor, placed first. */
  readonly instrumentors?: readonly InstrumentorSpec[];
}): ProviderContext<Section> {
  const { config, platformName } = params;
  const logger = componentLogger(platformName);
  return {
    section: config.section,
    config,
    service: config.service,
    appRoot: params.appRoot,
    env: params.env,
    logger,
    assembleTracerProvider: async (assembly) => {
      // Processors that turn a library's own spans into OpenInference ones (e.g. Google ADK's), ahead of the
      // privacy detectors, so that the content they write is scanned like any other.
      const converters = await instrumentorSpanProcessors({ registry: params.instrumentors ?? [], config, appRoot: params.appRoot, platformName });
      return assembleTracerProvider(config.service, assembly, logger, params.stats, params.deferExporters ?? false, {
        policies: { pricing: config.pricing, sampling: config.sampling, env: params.env },
        ...(config.privacyDetectors === undefined ? {} : { privacy: config.privacyDetectors }),
        converters,
        ...(config.spans === undefined ? {} : { spans: config.spans }),
        ...(config.export?.queueMemoryMb === undefined ? {} : { queueMemoryMb: config.export.queueMemoryMb }),
      });
    },
  };
}
