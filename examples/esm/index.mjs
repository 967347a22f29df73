// An ES module app with no tracing code: started as
//   node --import @llmops/platform-arize/register index.mjs
// the register module runs llmops's pipeline (./llmops.yaml) before this file loads and hooks the ESM loader, so
// the `openai` imported below is already patched. Nothing is handed to instrument(); nothing calls it.
import OpenAI from "openai";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

// A local stand-in of the OpenAI API: no network, no API key.
const standIn = await startOpenAIStandIn();
const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });

const prompts = ["ESM example: what is OpenTelemetry?", "ESM example: what is a span?"];
for (const prompt of prompts) {
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  console.log(`${prompt} -> ${completion.choices[0].message.content}`);
}
await standIn.close();
console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);
// Queued spans are flushed when the process exits.
