import type { InstrumentorSpec } from "../contract/instrumentor";
import { aiSdkInstrumentor } from "./ai-sdk/spec";

/** The keys of {@link openInferenceInstrumentors}: the `instrumentation:` keys of the config file. */
export type OpenInferenceKey = "openai" | "anthropic" | "langchain" | "bedrock" | "bedrock_agent_runtime" | "mcp" | "google_genai" | "vercel";

/**
 * Registry entries for the OpenInference instrumentors (`@arizeai/openinference-instrumentation-*`, and llmops's own
 * Vercel AI SDK integration under `vercel`), for a platform to
 * pick from: the config key, the package, its export, the module it patches and the keys `instrument({ modules })`
 * accepts. Data only: nothing of these packages is imported until `instrument()` finds the module in use.
 *
 * @example
 * ```ts
 * import { definePlatform, openInferenceInstrumentors as oi } from "@llmops/core";
 * export const platform = definePlatform({
 *   name: "acme",
 *   // ...
 *   instrumentors: [oi.openai, oi.anthropic, oi.langchain],
 * });
 * ```
 */
export const openInferenceInstrumentors: Readonly<Record<OpenInferenceKey, InstrumentorSpec>> = {
  openai: { key: "openai", packageName: "@arizeai/openinference-instrumentation-openai", exportName: "OpenAIInstrumentation", moduleName: "openai" },
  anthropic: {
    key: "anthropic",
    packageName: "@arizeai/openinference-instrumentation-anthropic",
    exportName: "AnthropicInstrumentation",
    moduleName: "@anthropic-ai/sdk",
    // @anthropic-ai/sdk 1.x traces its own calls too: one LLM span per call, not two.
    environmentDefaults: { ANTHROPIC_OPEN_TELEMETRY: "false" },
  },
  langchain: {
    key: "langchain",
    packageName: "@arizeai/openinference-instrumentation-langchain",
    exportName: "LangChainInstrumentation",
    moduleName: "@langchain/core/callbacks/manager",
    moduleAliases: ["langchainCallbacks"],
  },
  bedrock: { key: "bedrock", packageName: "@arizeai/openinference-instrumentation-bedrock", exportName: "BedrockInstrumentation", moduleName: "@aws-sdk/client-bedrock-runtime" },
  bedrock_agent_runtime: {
    key: "bedrock_agent_runtime",
    packageName: "@arizeai/openinference-instrumentation-bedrock-agent-runtime",
    exportName: "BedrockAgentInstrumentation",
    moduleName: "@aws-sdk/client-bedrock-agent-runtime",
  },
  // This repository's own instrumentation (OpenInference has none for @google/genai in JavaScript); it takes the same
  // options as the OpenInference ones, so it is built and handed the privacy switches the same way.
  google_genai: {
    key: "google_genai",
    packageName: "@llmops/instrumentation-google-genai",
    exportName: "GoogleGenAIInstrumentation",
    moduleName: "@google/genai",
  },
  mcp: {
    key: "mcp",
    packageName: "@arizeai/openinference-instrumentation-mcp",
    exportName: "MCPInstrumentation",
    // The instrumentor patches the SDK's transport modules, each handed in under its own name; the package root
    // carries no transport. It makes no span itself: it carries the trace context across client and server.
    moduleName: "@modelcontextprotocol/sdk/client/stdio.js",
    manuallyInstrumentKey: "clientStdioModule",
    moreModules: [
      { moduleName: "@modelcontextprotocol/sdk/server/stdio.js", manuallyInstrumentKey: "serverStdioModule" },
      { moduleName: "@modelcontextprotocol/sdk/client/streamableHttp.js", manuallyInstrumentKey: "clientStreamableHTTPModule" },
      { moduleName: "@modelcontextprotocol/sdk/server/streamableHttp.js", manuallyInstrumentKey: "serverStreamableHTTPModule" },
      { moduleName: "@modelcontextprotocol/sdk/client/sse.js", manuallyInstrumentKey: "clientSSEModule" },
      { moduleName: "@modelcontextprotocol/sdk/server/sse.js", manuallyInstrumentKey: "serverSSEModule" },
    ],
  },
  // The Vercel AI SDK: llmops's own integration in the AI SDK's telemetry registry (AI SDK 6 and 7), OpenInference
  // spans without an instrumentor package.
  vercel: aiSdkInstrumentor,
};
