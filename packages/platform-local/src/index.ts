import { instrumentFor } from "@llmops/core";
import { platform } from "./platform";
import { VERSION as PACKAGE_VERSION } from "./version";

/**
 * Turns on tracing with the local platform: registers it (no dependency scan needed) and runs core's instrument
 * pipeline. Same options and handle as `getPlatform("local").instrument()`; never throws in permissive mode.
 *
 * @param options - where the config is (`configPath`, `config`, `appRoot`), `modules` to patch (ES modules), ...
 * @returns the handle: `forceFlush()`, `shutdown()` (which prints the last trace tree), what was instrumented
 *
 * @example
 * ```ts
 * import * as openai from "openai";
 * import { instrument } from "@llmops/platform-local";
 *
 * const tracing = await instrument({ modules: { openai } });
 * // ... OpenAI calls ...
 * await tracing.shutdown();
 * ```
 */
export const instrument = instrumentFor(platform);

export { platform };
export { formatTraceTree } from "./tree/format-trace-tree";
export type { TreeSpan } from "./tree/format-trace-tree";
export type { LocalSection } from "./config/section";
export type { SpanRecord, SpanRecordAttributes } from "./export/span-record";

/**
 * The version of `@llmops/platform-local`.
 *
 * @example
 * ```ts
 * import { VERSION } from "@llmops/platform-local";
 * console.log(`llmops local platform ${VERSION}`);
 * ```
 */
export const VERSION: string = PACKAGE_VERSION;
