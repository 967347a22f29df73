import type { InstrumentorSpec } from "@llmops/core";

/** The Vercel AI SDK is traced by a span processor, not an instrumentor: this entry turns it on and off. */
export const VERCEL_PACKAGE = "@arizeai/openinference-vercel";

/**
 * The OpenInference instrumentors this platform applies, each an optional peer dependency, each turned off with
 * `instrumentation.<key>: false`. The `vercel` entry is applied as a span processor (see vercel.ts); its registry
 * entry reports it and lets the config key be checked like the others.
 */
export const ARIZE_INSTRUMENTORS: readonly InstrumentorSpec[] = [
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
  {
    key: "bedrock_agent_runtime",
    packageName: "@arizeai/openinference-instrumentation-bedrock-agent-runtime",
    exportName: "BedrockAgentInstrumentation",
    moduleName: "@aws-sdk/client-bedrock-agent-runtime",
  },
  { key: "mcp", packageName: "@arizeai/openinference-instrumentation-mcp", exportName: "MCPInstrumentation", moduleName: "@modelcontextprotocol/sdk" },
  {
    key: "claude_agent_sdk",
    packageName: "@arizeai/openinference-instrumentation-claude-agent-sdk",
    exportName: "ClaudeAgentSDKInstrumentation",
    moduleName: "@anthropic-ai/claude-agent-sdk",
  },
  { key: "openai_agents", packageName: "@arizeai/openinference-instrumentation-openai-agents", exportName: "OpenAIAgentsInstrumentation", moduleName: "@openai/agents" },
  { key: "beeai", packageName: "@arizeai/openinference-instrumentation-beeai", exportName: "BeeAIInstrumentation", moduleName: "beeai-framework" },
  { key: "vercel", packageName: VERCEL_PACKAGE, exportName: "OpenInferenceBatchSpanProcessor", moduleName: "ai", create: () => ({}) },
];
