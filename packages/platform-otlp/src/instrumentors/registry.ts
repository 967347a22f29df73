import { googleAdkInstrumentor, openInferenceInstrumentors as oi } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";

/**
 * The instrumentors this platform applies, each an optional peer dependency, each turned off with
 * `instrumentation.<key>: false`. Any OTLP backend receives their spans; with `semantic_conventions: gen_ai` they
 * are rewritten into the GenAI conventions on the way out.
 */
export const OTLP_INSTRUMENTORS: readonly InstrumentorSpec[] = [oi.openai, oi.anthropic, oi.langchain, oi.bedrock, oi.bedrock_agent_runtime, oi.mcp, oi.google_genai, googleAdkInstrumentor, oi.vercel];
