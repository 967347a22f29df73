// An agent as users write it (ESM): inside withSession() and withUser(), an agent function wrapped with
// trace({ kind: "agent" }) calls a tool wrapped with trace({ kind: "tool" }) and the real openai client (talking to a
// local stand-in), traced by the llmops platform named in LLMOPS_E2E_PLATFORM with the config in LLMOPS_E2E_CONFIG.
// Prints one JSON line: what it did, the ids it used, and whether the agent's span was recording.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as openaiModule from "openai";
import { getCurrentSpan, getPlatform, trace, withSession, withUser } from "@llmops/core";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const sessionId = process.env.LLMOPS_E2E_SESSION;
const userId = process.env.LLMOPS_E2E_USER;
const openaiStandIn = await startOpenAIStandIn();

const tracing = await getPlatform(process.env.LLMOPS_E2E_PLATFORM, { appRoot }).instrument({
  appRoot,
  config: JSON.parse(process.env.LLMOPS_E2E_CONFIG),
  validationMode: "strict",
  flushOnExit: false,
  modules: { openai: openaiModule },
});

const openai = new openaiModule.OpenAI({ baseURL: openaiStandIn.url, apiKey: "stand-in-key" });

const getWeather = trace(
  async function get_weather(city) {
    return `Sunny in ${city}`;
  },
  { kind: "tool" },
);

let agentSpanRecording;
const weatherAgent = trace(
  async function weather_agent(city) {
    agentSpanRecording = getCurrentSpan().recording;
    const report = await getWeather(city);
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: `Say this nicely: ${report}` }],
    });
    return completion.choices[0].message.content;
  },
  { kind: "agent" },
);

const answer = await withSession(sessionId, () => withUser(userId, () => weatherAgent("Paris")));

const shutdown = await tracing.shutdown({ timeoutMillis: 20_000 });
process.stdout.write(
  `${JSON.stringify({
    active: tracing.active,
    issues: tracing.issues,
    shutdown,
    answer,
    agentSpanRecording,
    sessionId,
    userId,
    chatRequests: openaiStandIn.requests.filter((request) => request.path === "/v1/chat/completions").length,
  })}\n`,
);
await openaiStandIn.close();
