import { instrumentFor } from "@llmops/core";
import { platform } from "./platform";
import { VERSION as PACKAGE_VERSION } from "./version";

/**
 * Turns on tracing to an MLflow tracking server: registers the platform and runs core's instrument pipeline
 * (config file, environment, validation, experiment resolution, provider, instrumentors). Never throws in permissive mode.
 *
 * @param options - config location (`configPath`, `config`, `appRoot`), `validationMode`, `modules` to patch (ESM), ...
 * @returns the handle: `forceFlush()`, `shutdown()`, what was instrumented
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { instrument } from "@llmops/platform-mlflow";
 *
 * const tracing = await instrument({
 *   config: { service: { name: "my-app" }, mlflow: { tracking_uri: "http://localhost:5000", experiment_name: "my-experiment" } },
 *   modules: { openai: OpenAI },
 * });
 * ```
 */
export const instrument = instrumentFor(platform);

export { platform };
export { mlflowSchema } from "./config/section";
export type { MlflowSection } from "./config/section";

/**
 * The version of `@llmops/platform-mlflow`.
 *
 * @example
 * ```ts
 * import { VERSION } from "@llmops/platform-mlflow";
 * console.log(VERSION);
 * ```
 */
export const VERSION: string = PACKAGE_VERSION;
