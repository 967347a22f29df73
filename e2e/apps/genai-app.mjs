// An ES module app with the real @google/genai client talking to the Gemini stand-in, traced by the llmops platform
// named in LLMOPS_E2E_PLATFORM with the config in LLMOPS_E2E_CONFIG (JSON); the client module is handed in. A
// generateContent call, a consumed stream, a function call and a chat message. Prints one JSON line.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as genai from "@google/genai";
import { getPlatform } from "@llmops/core";
import { startGeminiStandIn } from "@llmops-internal/stand-ins";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const standIn = await startGeminiStandIn();
const tracing = await getPlatform(process.env.LLMOPS_E2E_PLATFORM, { appRoot }).instrument({
  appRoot,
  config: JSON.parse(process.env.LLMOPS_E2E_CONFIG),
  validationMode: "strict",
  flushOnExit: false,
  modules: { google_genai: genai },
});
const model = "gemini-2.5-flash";
const ai = new genai.GoogleGenAI({ apiKey: "stand-in-key", httpOptions: { baseUrl: standIn.url } });
const answer = (await ai.models.generateContent({ model, contents: "Hello Gemini", config: { systemInstruction: "Be brief." } })).text;
let streamed = "";
for await (const chunk of await ai.models.generateContentStream({ model, contents: "Stream the weather report to me" })) streamed += chunk.text ?? "";
const weatherTool = { functionDeclarations: [{ name: "get_weather", description: "Weather in a city", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] } }] };
const calls = (await ai.models.generateContent({ model, contents: "What is the weather in Rome?", config: { tools: [weatherTool] } })).functionCalls;
const chatAnswer = (await ai.chats.create({ model }).sendMessage({ message: "Hi chat" })).text;
const shutdown = await tracing.shutdown({ timeoutMillis: 10_000 });
await standIn.close();
process.stdout.write(
  `${JSON.stringify({
    active: tracing.active,
    instrumentations: tracing.instrumentations.map(({ key, status, patchedModule }) => ({ key, status, patchedModule })),
    answer,
    streamed,
    calls,
    chatAnswer,
    shutdown,
  })}\n`,
);
