// An app that already runs the OpenTelemetry NodeSDK for its own spans, exported to its own collector
// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), then turns on llmops for its LLM calls. llmops finds a global
// TracerProvider already registered and leaves it in place (it warns once); the instrumentors send the LLM spans
// through llmops's own provider to Phoenix, as children of the app's spans.
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeSDK } from "@opentelemetry/sdk-node";
import OpenAI from "openai";
import { instrument } from "@llmops/platform-arize";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const sdk = new NodeSDK({ serviceName: "coexist-app", traceExporter: new OTLPTraceExporter() });
sdk.start();

// llmops.yaml names the Phoenix endpoint (PHOENIX_COLLECTOR_ENDPOINT, when set, wins over it); the app's
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is for the NodeSDK and never redirects llmops (docs/configuration.md, "Where spans go").
const tracing = await instrument({ modules: { openai: OpenAI } });
const globalProvider = trace.getTracerProvider().getDelegate?.() ?? trace.getTracerProvider();

// A local stand-in of the OpenAI API: no network, no API key.
const standIn = await startOpenAIStandIn();
const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
const tracer = trace.getTracer("coexist-app");

const prompts = ["coexist example: what is OpenTelemetry?", "coexist example: what is a span?"];
for (const prompt of prompts) {
  // The app's own span (NodeSDK), with the LLM call's span (llmops) inside it.
  await tracer.startActiveSpan("answer question", { attributes: { "app.prompt": prompt } }, async (span) => {
    try {
      const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
      console.log(`${prompt} -> ${completion.choices[0].message.content}`);
    } finally {
      span.end();
    }
  });
}
await standIn.close();
console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);
console.log(`The global TracerProvider is ${globalProvider === tracing.tracerProvider ? "llmops's" : "the app's own (NodeSDK)"}.`);

// Each flushes its own spans. (llmops's shutdown never rejects; the NodeSDK's rejects when its export fails.)
const result = await tracing.shutdown();
await sdk.shutdown().catch((error) => console.error(`NodeSDK shutdown: ${error.message}`));
console.log(`llmops shutdown: ${result.ok ? "ok" : result.timedOut ? "timed out" : `failed (${result.error ?? "no reason given"})`}`);
