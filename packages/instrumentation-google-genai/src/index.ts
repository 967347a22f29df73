import { VERSION as PACKAGE_VERSION } from "./version";

export { GoogleGenAIInstrumentation } from "./instrumentation";
export type { GoogleGenAIInstrumentationOptions } from "./instrumentation";

/**
 * The version of this package, as published: the instrumentation scope version of its spans.
 *
 * @example
 * ```ts
 * import { VERSION } from "@llmops/instrumentation-google-genai";
 * console.log(`@llmops/instrumentation-google-genai ${VERSION}`);
 * ```
 */
export const VERSION: string = PACKAGE_VERSION;
