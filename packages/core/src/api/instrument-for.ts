import { getPlatform, registerPlatform } from "./get-platform";
import type { Platform, PlatformConfig } from "../contract/platform";
import type { InstrumentationHandle } from "../pipeline/handle";
import type { InstrumentOptions } from "../pipeline/instrument-options";

/**
 * The typed `instrument()` a platform package exports: it registers the platform (no dependency scan needed, bundled
 * or not) and runs core's pipeline, as `getPlatform(name).instrument(options)` does, with `config` typed by the
 * platform's schema. Never throws in permissive mode.
 *
 * @param platform - the platform object
 * @returns `instrument(options?)`, resolving to the handle
 *
 * @example
 * ```ts
 * import { instrumentFor } from "@llmops/core";
 * import { platform } from "./platform";
 *
 * export const instrument = instrumentFor(platform);
 * // user code: const tracing = await instrument({ config: { service: { name: "my-app" }, acme: { endpoint: "https://otlp.acme.example" } } });
 * ```
 */
export function instrumentFor<P extends Platform>(platform: P): (options?: InstrumentOptions<PlatformConfig<P>>) => Promise<InstrumentationHandle> {
  return (options) => {
    registerPlatform(platform);
    return getPlatform(platform.name).instrument(options as InstrumentOptions);
  };
}
