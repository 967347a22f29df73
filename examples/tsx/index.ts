// A TypeScript app run with tsx (`tsx index.ts`), traced in code with the typed instrument() of
// @llmops/platform-arize. An ES module's imports run before its body, so the imported `openai` is handed in to be
// patched.
import OpenAI from "openai";
import type { InstrumentationHandle } from "@llmops/core";
import { instrument } from "@llmops/platform-arize";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

// Reads ./llmops.yaml (the app root is the folder of the nearest package.json).
const tracing: InstrumentationHandle = await instrument({ modules: { openai: OpenAI } });
const instrumented = tracing.instrumentations.filter((report) => report.status === "instrumented").map((report) => report.key);
console.log(`llmops: platform ${tracing.platform}, active ${tracing.active}, instrumented: ${instrumented.join(", ") || "nothing"}`);

// A local stand-in of the OpenAI API: no network, no API key.
const standIn = await startOpenAIStandIn();
const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });

const prompts: string[] = ["tsx example: what is OpenTelemetry?", "tsx example: what is a span?"];
for (const prompt of prompts) {
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  console.log(`${prompt} -> ${completion.choices[0]?.message.content ?? ""}`);
}
await standIn.close();
console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);

// Flushes queued spans and stops tracing; resolves (never rejects) with what happened.
const result = await tracing.shutdown();
console.log(`llmops shutdown: ${result.ok ? "ok" : result.timedOut ? "timed out" : `failed (${result.error ?? "no reason given"})`}`);
