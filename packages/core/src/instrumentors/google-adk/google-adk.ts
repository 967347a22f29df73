import type { InstrumentorSpec } from "../../contract/instrumentor";

/**
 * The `google_adk` registry entry: Google ADK (`@google/adk`) makes its own spans through the global OpenTelemetry
 * API (tracer `gcp.vertex.agent`: the invocation, each agent, each model call, each tool call); this entry converts
 * them to OpenInference with a span processor in the platform's provider, and patches nothing. The spans reach
 * llmops when its provider is the global one (the default of `instrument()`).
 *
 * @example
 * ```ts
 * import { definePlatform, googleAdkInstrumentor, openInferenceInstrumentors as oi } from "@llmops/core";
 * export const platform = definePlatform({
 *   name: "acme",
 *   // ...
 *   instrumentors: [oi.openai, googleAdkInstrumentor],
 * });
 * ```
 */
export const googleAdkInstrumentor: InstrumentorSpec = {
  key: "google_adk",
  packageName: "@google/adk",
  exportName: "Runner",
  moduleName: "@google/adk",
  async spanProcessor() {
    // Loaded when a provider is assembled with this key on, not at `import "@llmops/core"`.
    const { GoogleAdkSpanProcessor } = await import("./adk-span-processor");
    return new GoogleAdkSpanProcessor();
  },
};
