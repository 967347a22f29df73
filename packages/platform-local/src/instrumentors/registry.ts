import { googleAdkInstrumentor, openInferenceInstrumentors as oi } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";

/**
 * The local platform's instrumentors (OpenInference), applied in this order when their packages are installed
 * (optional peer dependencies of `@llmops/platform-local`) and not turned off under `instrumentation:`; core's shared
 * OpenInference entries, so the keys and module names match the other platforms'.
 */
export const LOCAL_INSTRUMENTORS: readonly InstrumentorSpec[] = [oi.openai, oi.anthropic, oi.langchain, oi.google_genai, googleAdkInstrumentor, oi.vercel];
