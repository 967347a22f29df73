// An app bundled by esbuild (build.mjs) into one file, openai inside. A bundle has no node_modules for llmops to
// scan for platforms, so the platform object is registered in code, and the bundled `openai` module is handed in
// to be patched (there is no `require` of it to hook).
import OpenAI from "openai";
import { getPlatform, registerPlatform } from "@llmops/core";
import { platform } from "@llmops/platform-arize";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

registerPlatform(platform);
const arize = getPlatform("arize");
// Reads llmops.yaml from the app root: the folder of the nearest package.json, or the working directory.
const tracing = await arize.instrument({ modules: { openai: OpenAI } });
const instrumented = tracing.instrumentations.filter((report) => report.status === "instrumented").map((report) => report.key);
console.log(`llmops: platform ${tracing.platform} (${arize.source}), active ${tracing.active}, instrumented: ${instrumented.join(", ") || "nothing"}`);

// A local stand-in of the OpenAI API: no network, no API key.
const standIn = await startOpenAIStandIn();
const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });

const prompts = ["esbuild example: what is OpenTelemetry?", "esbuild example: what is a span?"];
for (const prompt of prompts) {
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  console.log(`${prompt} -> ${completion.choices[0].message.content}`);
}
await standIn.close();
console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);
const result = await tracing.shutdown();
console.log(`llmops shutdown: ${result.ok ? "ok" : result.timedOut ? "timed out" : `failed (${result.error ?? "no reason given"})`}`);
