import { openInferenceInstrumentors as oi } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";

/** The Vercel AI SDK is traced by a span processor, not an instrumentor: this entry turns it on and off. */
export const VERCEL_PACKAGE = "@arizeai/openinference-vercel";

/**
 * The OpenInference instrumentors this platform applies, each an optional peer dependency, each turned off with
 * `instrumentation.<key>: false`. The `vercel` entry is applied as a span processor (see vercel.ts); its registry
 * entry reports it and lets the config key be checked like the others.
 */
export const ARIZE_INSTRUMENTORS: readonly InstrumentorSpec[] = [
  oi.openai,
  oi.anthropic,
  oi.langchain,
  oi.bedrock,
  oi.bedrock_agent_runtime,
  oi.mcp,
  oi.google_genai,
  { key: "vercel", packageName: VERCEL_PACKAGE, exportName: "OpenInferenceBatchSpanProcessor", moduleName: "ai", create: () => ({}) },
];
