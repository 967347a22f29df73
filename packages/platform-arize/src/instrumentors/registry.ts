import { googleAdkInstrumentor, openInferenceInstrumentors as oi } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";

/**
 * OpenInference's conversion of the Vercel AI SDK's own spans (`experimental_telemetry` in AI SDK 5 and 6, `@ai-sdk/otel`
 * in 7), applied as a span processor when installed; `instrumentation.vercel` turns it off with the AI SDK integration.
 */
export const VERCEL_PACKAGE = "@arizeai/openinference-vercel";

/**
 * The OpenInference instrumentors this platform applies, each an optional peer dependency, each turned off with
 * `instrumentation.<key>: false`. The `vercel` entry is core's Vercel AI SDK integration; the same key also turns the
 * span processor of `@arizeai/openinference-vercel` on and off (see vercel.ts).
 */
export const ARIZE_INSTRUMENTORS: readonly InstrumentorSpec[] = [
  oi.openai,
  oi.anthropic,
  oi.langchain,
  oi.bedrock,
  oi.bedrock_agent_runtime,
  oi.mcp,
  oi.google_genai,
  googleAdkInstrumentor,
  oi.vercel,
];
