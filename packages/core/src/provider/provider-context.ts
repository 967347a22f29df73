import type { ResolvedConfig } from "../contract/config";
import type { ProviderContext } from "../contract/provider";
import { componentLogger } from "../internal/logger";
import { assembleTracerProvider } from "./assemble";
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
    assembleTracerProvider: (assembly) => assembleTracerProvider(config.service, assembly, logger, params.stats, params.deferExporters ?? false, config.export?.queueMemoryMb),
  };
}
