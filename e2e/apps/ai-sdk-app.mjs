// A Vercel AI SDK 7 app as users write it (ESM, Node 22+): instrument() and nothing else of the AI SDK's telemetry;
// an agent made with trace() calls generateText with a tool (the real ai and @ai-sdk/openai, talking to the OpenAI
// stand-in), traced by @llmops/platform-arize with the config in LLMOPS_E2E_CONFIG. Prints one JSON line.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import { trace } from "@llmops/core";
import { instrument } from "@llmops/platform-arize";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const standIn = await startOpenAIStandIn();
const tracing = await instrument({ config: JSON.parse(process.env.LLMOPS_E2E_CONFIG), validationMode: "strict", flushOnExit: false });
const openai = createOpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
const weather = tool({
  description: "The weather in a city",
  inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});
const agent = trace(async (question) => (await generateText({ model: openai("gpt-4o-mini"), prompt: question, tools: { weather }, stopWhen: stepCountIs(3) })).text, { name: "weather-agent" });
const answer = await agent("What is the weather in Paris?");
const report = tracing.instrumentations.find((line) => line.key === "vercel");
const shutdown = await tracing.shutdown({ timeoutMillis: 10_000 });
await standIn.close();
process.stdout.write(`${JSON.stringify({ node: process.version, report, answer, shutdown })}\n`);
