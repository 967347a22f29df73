import type { InstrumentorSpec } from "../../contract/instrumentor";
import { loadedOtelApi } from "../../internal/otel-api";
import { VERSION } from "../../version";
import { AI_SDK_SCOPE, createAiSdkIntegration } from "./integration";

/**
 * The Vercel AI SDK (`ai` 6 and later), traced by llmops's own integration in the AI SDK's telemetry registry: no
 * instrumentor package, no patch, nothing of `ai` loaded by llmops. Older majors have no registry.
 */
export const aiSdkInstrumentor: InstrumentorSpec = {
  key: "vercel",
  packageName: "ai",
  exportName: "registerTelemetry",
  moduleName: "ai",
  integration: (context) => {
    const major = Number(context.packageVersion?.split(".")[0]);
    if (Number.isFinite(major) && major < 6) {
      return (
        `instrumentation.vercel: ai ${context.packageVersion ?? ""} has no telemetry registry (AI SDK 6 and later have one), so llmops cannot trace it by itself; ` +
        `turn on its own spans with experimental_telemetry: { isEnabled: true } on each call (on arize, @arizeai/openinference-vercel 2.x converts them to OpenInference), or upgrade ai.`
      );
    }
    const api = loadedOtelApi();
    if (api === undefined) throw new Error("@opentelemetry/api is not loaded");
    return createAiSdkIntegration({ api, tracer: context.tracerProvider.getTracer(AI_SDK_SCOPE, VERSION), privacy: context.config.privacy, seen: context.seen });
  },
};
