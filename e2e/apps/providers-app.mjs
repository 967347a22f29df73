// An app as users write it (ESM): the real openai, @anthropic-ai/sdk and LangChain clients, talking to local
// stand-ins of the providers, traced by the llmops platform named in LLMOPS_E2E_PLATFORM (`arize` or `mlflow`)
// with the config in LLMOPS_E2E_CONFIG (JSON). Prints one JSON line: what it did and what the stand-ins received.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as openaiModule from "openai";
import * as anthropicModule from "@anthropic-ai/sdk";
import * as callbacksManager from "@langchain/core/callbacks/manager";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { getActiveInstrumentation, getPlatform } from "@llmops/core";
import { startAnthropicStandIn, startOpenAIStandIn } from "@llmops-internal/stand-ins";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = new Set((process.env.LLMOPS_E2E_ONLY ?? "openai,anthropic,langchain").split(","));
const openaiStandIn = await startOpenAIStandIn();
const anthropicStandIn = await startAnthropicStandIn();

// Zero-code mode: started with `node --import @llmops/platform-<name>/register`, which read the config file named by
// LLMOPS_CONFIG_PATH before this module loaded; nothing is handed in, the loader hook patched the imports above.
const tracing =
  process.env.LLMOPS_E2E_ZERO_CODE === "1"
    ? await getActiveInstrumentation()
    : await getPlatform(process.env.LLMOPS_E2E_PLATFORM, { appRoot }).instrument({
        appRoot,
        config: JSON.parse(process.env.LLMOPS_E2E_CONFIG),
        validationMode: "strict",
        flushOnExit: false,
        modules: { openai: openaiModule, "@anthropic-ai/sdk": anthropicModule, "@langchain/core/callbacks/manager": callbacksManager },
      });

const model = "gpt-4o-mini";
const openai = new openaiModule.OpenAI({ baseURL: openaiStandIn.url, apiKey: "stand-in-key" });
const weatherTool = {
  type: "function",
  function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};
const done = [];

if (only.has("openai")) {
  await openai.chat.completions.create({ model, messages: [{ role: "user", content: "What is OpenTelemetry?" }] });
  done.push("chat");
  const stream = await openai.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Count to three." }] });
  for await (const chunk of stream) void chunk;
  done.push("stream");
  await openai.embeddings.create({ model: "text-embedding-3-small", input: ["first text", "second text"] });
  done.push("embeddings");
  const toolCall = await openai.chat.completions.create({ model, tools: [weatherTool], messages: [{ role: "user", content: "Weather in Paris?" }] });
  done.push(`tool-call:${toolCall.choices[0].message.tool_calls?.[0]?.function.name}`);
}

if (only.has("anthropic")) {
  const anthropic = new anthropicModule.Anthropic({ baseURL: anthropicStandIn.baseURL, apiKey: "stand-in-key" });
  await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "Say hi." }] });
  done.push("anthropic");
}

if (only.has("langchain")) {
  const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
    name: "get_weather",
    description: "Weather in a city",
    schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  });
  const chain = ChatPromptTemplate.fromMessages([
    ["system", "You are terse."],
    ["user", "{question}"],
  ])
    .pipe(new ChatOpenAI({ model, apiKey: "stand-in-key", configuration: { baseURL: openaiStandIn.url } }))
    .pipe(new StringOutputParser());
  await chain.invoke({ question: "What is LangChain?" });
  await getWeather.invoke({ city: "Paris" });
  // LangChain runs callbacks (and so its tracer) in the background: wait for them before flushing.
  await awaitAllCallbacks();
  done.push("langchain");
}

const shutdown = await tracing.shutdown({ timeoutMillis: 20_000 });
const count = (requests, path) => requests.filter((request) => request.path === path).length;
process.stdout.write(
  `${JSON.stringify({
    active: tracing.active,
    issues: tracing.issues,
    instrumentations: tracing.instrumentations.filter((report) => report.status !== "not-installed").map(({ key, status, patchedModule }) => ({ key, status, patchedModule })),
    shutdown,
    done,
    requests: {
      chat: count(openaiStandIn.requests, "/v1/chat/completions"),
      embeddings: count(openaiStandIn.requests, "/v1/embeddings"),
      anthropic: count(anthropicStandIn.requests, "/v1/messages"),
    },
  })}\n`,
);
await Promise.all([openaiStandIn.close(), anthropicStandIn.close()]);
