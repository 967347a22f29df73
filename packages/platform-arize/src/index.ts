import { instrumentFor } from "@llmops/core";
import { platform } from "./platform";
import { VERSION as PACKAGE_VERSION } from "./version";

/**
 * Turns on tracing to Arize Phoenix or Arize AX: registers the platform and runs core's instrument pipeline
 * (config file, environment, validation, provider, instrumentors). Never throws in permissive mode.
 *
 * @param options - config location (`configPath`, `config`, `appRoot`), `validationMode`, `modules` to patch (ESM), ...
 * @returns the handle: `forceFlush()`, `shutdown()`, what was instrumented
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { instrument } from "@llmops/platform-arize";
 *
 * const tracing = await instrument({
 *   config: { service: { name: "my-app" }, arize: { endpoint: "http://localhost:6006", project_name: "my-project" } },
 *   modules: { openai: OpenAI },
 * });
 * ```
 */
export const instrument = instrumentFor(platform);

export { platform };
export { arizeSchema } from "./config/section";
export type { ArizeSection } from "./config/section";

/**
 * The version of `@llmops/platform-arize`.
 *
 * @example
 * ```ts
 * import { VERSION } from "@llmops/platform-arize";
 * console.log(VERSION);
 * ```
 */
export const VERSION: string = PACKAGE_VERSION;
