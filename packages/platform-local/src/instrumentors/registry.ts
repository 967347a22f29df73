import type { InstrumentorSpec } from "@llmops/core";

/**
 * The local platform's instrumentors (OpenInference), applied in this order when their packages are installed
 * (optional peer dependencies of `@llmops/platform-local`) and not turned off under `instrumentation:`.
 * `moduleName` is the key to hand an already-imported module in with `instrument({ modules })` (ES modules).
 */
export const LOCAL_INSTRUMENTORS: readonly InstrumentorSpec[] = [
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
];
