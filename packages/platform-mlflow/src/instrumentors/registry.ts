import type { InstrumentorSpec } from "@llmops/core";

/**
 * The OpenInference instrumentors this platform applies, each an optional peer dependency, each turned off with
 * `instrumentation.<key>: false`. MLflow 3.6 and later translate OpenInference span attributes on ingest
 * (`openinference.span.kind` to the span type, `input.value`/`output.value` to span inputs/outputs,
 * `llm.token_count.*` to token usage), so these spans read in MLflow like its own autolog spans.
 * The shared `privacy:` section reaches each instrumentor as its trace config (core passes it).
 */
export const MLFLOW_INSTRUMENTORS: readonly InstrumentorSpec[] = [
  { key: "openai", packageName: "@arizeai/openinference-instrumentation-openai", exportName: "OpenAIInstrumentation", moduleName: "openai" },
  {
    key: "anthropic",
    packageName: "@arizeai/openinference-instrumentation-anthropic",
    exportName: "AnthropicInstrumentation",
    moduleName: "@anthropic-ai/sdk",
    // @anthropic-ai/sdk 1.x traces its own calls too: one LLM span per call, not two.
    environmentDefaults: { ANTHROPIC_OPEN_TELEMETRY: "false" },
  },
  {
    key: "langchain",
    packageName: "@arizeai/openinference-instrumentation-langchain",
    exportName: "LangChainInstrumentation",
    moduleName: "@langchain/core/callbacks/manager",
    moduleAliases: ["langchainCallbacks"],
  },
  { key: "bedrock", packageName: "@arizeai/openinference-instrumentation-bedrock", exportName: "BedrockInstrumentation", moduleName: "@aws-sdk/client-bedrock-runtime" },
  { key: "mcp", packageName: "@arizeai/openinference-instrumentation-mcp", exportName: "MCPInstrumentation", moduleName: "@modelcontextprotocol/sdk" },
];
