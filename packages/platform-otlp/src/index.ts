import { instrumentFor } from "@llmops/core";
import { platform } from "./platform";
import { VERSION as PACKAGE_VERSION } from "./version";

/**
 * Turns on tracing to any OTLP receiver: registers the platform and runs core's instrument pipeline (config file,
 * environment, validation, provider, instrumentors). Never throws in permissive mode.
 *
 * @param options - config location (`configPath`, `config`, `appRoot`), `validationMode`, `modules` to patch (ESM), ...
 * @returns the handle: `forceFlush()`, `shutdown()`, what was instrumented
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { instrument } from "@llmops/platform-otlp";
 *
 * const tracing = await instrument({
 *   config: { service: { name: "my-app" }, otlp: { endpoint: "http://127.0.0.1:4318" } },
 *   modules: { openai: OpenAI },
 * });
 * ```
 */
export const instrument = instrumentFor(platform);

export { platform };
export { otlpSchema, OTLP_ENVIRONMENT, OTLP_PROTOCOLS, SEMANTIC_CONVENTIONS } from "./config/section";
export type { OtlpPlatformSection } from "./config/section";
export { GenAiConventionsProcessor } from "./genai/processor";
export { toGenAiAttributes, GEN_AI_SEMCONV_VERSION } from "./genai/conventions";

/**
 * The version of `@llmops/platform-otlp`.
 *
 * @example
 * ```ts
 * import { VERSION } from "@llmops/platform-otlp";
 * console.log(VERSION);
 * ```
 */
export const VERSION: string = PACKAGE_VERSION;
