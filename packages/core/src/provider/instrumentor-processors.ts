import type { SpanProcessor } from "../contract/sdk-types";
import type { ResolvedConfig } from "../contract/config";
import type { InstrumentorSpec } from "../contract/instrumentor";
import { messageOf } from "../errors/error-message";
import { appRequire } from "../internal/app-root";
import { componentLogger } from "../internal/logger";

/**
 * The span processors of the registry entries that work on spans a library makes itself (`spanProcessor`): one per
 * entry whose key is not `false` and whose package is installed (or whose key is `true`). A processor that cannot be
 * built is warned about and left out; the rest of the pipeline goes on.
 */
export async function instrumentorSpanProcessors(params: {
  readonly registry: readonly InstrumentorSpec[];
  readonly config: ResolvedConfig<unknown>;
  readonly appRoot: string;
  readonly platformName: string;
}): Promise<SpanProcessor[]> {
  const processors: SpanProcessor[] = [];
  for (const spec of params.registry) {
    if (spec.spanProcessor === undefined) continue;
    const setting = params.config.instrumentation[spec.key];
    if (setting === false || (setting !== true && !installed(spec.packageName, params.appRoot))) continue;
    try {
      processors.push(await spec.spanProcessor());
    } catch (error) {
      componentLogger(params.platformName).warn(`instrumentation.${spec.key}: its span processor could not be built (${messageOf(error)}); its spans are exported unconverted.`);
    }
  }
  return processors;
}

function installed(packageName: string, appRoot: string): boolean {
  try {
    appRequire(appRoot).resolve(packageName);
    return true;
  } catch {
    return false;
  }
}
