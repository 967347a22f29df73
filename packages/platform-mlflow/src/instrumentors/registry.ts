import { googleAdkInstrumentor, openInferenceInstrumentors as oi } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";

/**
 * The OpenInference instrumentors this platform applies, each an optional peer dependency, each turned off with
 * `instrumentation.<key>: false`. MLflow 3.6 and later translate OpenInference span attributes on ingest
 * (`openinference.span.kind` to the span type, `input.value`/`output.value` to span inputs/outputs,
 * `llm.token_count.*` to token usage), so these spans read in MLflow like its own autolog spans.
 * The shared `privacy:` section reaches each instrumentor as its trace config (core passes it).
 */
export const MLFLOW_INSTRUMENTORS: readonly InstrumentorSpec[] = [oi.openai, oi.anthropic, oi.langchain, oi.bedrock, oi.mcp, oi.google_genai, googleAdkInstrumentor, oi.vercel];
