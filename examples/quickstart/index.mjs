// pnpm demo: the real `openai` client, pointed at a local stand-in of the OpenAI API, traced by llmops on the
// local platform. Prints the trace tree and where the spans were written. No network, no API key.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as openai from "openai";
import { getPlatform, trace, withSession, withUser } from "@llmops/core";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const appRoot = dirname(fileURLToPath(import.meta.url));
const directory = join(appRoot, ".llmops", "traces"); // local.directory's default, relative to the app root
const linesBefore = countLines(directory);
const standIn = await startOpenAIStandIn();

// Finds @llmops/platform-local among this app's dependencies and reads ./llmops.yaml. An ES module's imports run
// before this line, so the already-imported `openai` module is handed in to be patched.
const tracing = await getPlatform("local", { appRoot }).instrument({ appRoot, modules: { openai } });
if (!tracing.active) {
  console.error("Tracing did not start:", tracing.issues);
  process.exitCode = 1;
}
const patched = tracing.instrumentations.filter((report) => report.status === "instrumented").map((report) => report.key);
console.log(`llmops: platform "${tracing.platform}", config ${relative(process.cwd(), tracing.configFile ?? "(none)")}, instrumented: ${patched.join(", ") || "nothing"}`);
console.log(`OpenAI stand-in listening at ${standIn.url}\n`);

const client = new openai.OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
const model = "gpt-4o-mini";
/** The tool the model asks for, traced as a TOOL span: its arguments are the span's input, its result the output. */
const getWeather = trace(
  function get_weather({ city }) {
    return { city, temperature_celsius: 18, sky: "sunny" };
  },
  { kind: "tool" },
);

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** The demo's calls: a chat completion, a streamed one, a tool call and embeddings, under one AGENT span. */
const runDemo = trace(
  async function quickstart() {
    // 1. A chat completion.
    const completion = await client.chat.completions.create({ model, messages: [{ role: "user", content: "What is OpenTelemetry, in one line?" }] });
    console.log("chat:      ", completion.choices[0].message.content);

    // 2. The same, streamed, with token usage in the last chunk.
    const stream = await client.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Say hello, one word at a time." }],
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
    console.log("streamed:  ", streamed);

    // 3. A tool call: the model asks for get_weather, the app runs it, the model answers with its result.
    await weatherQuestion();

    // 4. Embeddings.
    const embeddings = await client.embeddings.create({ model: "text-embedding-3-small", input: ["traces", "spans"] });
    console.log("embedding: ", `${embeddings.data.length} vectors of ${embeddings.data[0].embedding.length} dimensions\n`);
  },
  { kind: "agent", captureOutput: false },
);

/** A tool call: the model asks for get_weather, the app runs it, the model answers with its result (a CHAIN span). */
const weatherQuestion = trace(
  async function weather_question() {
    const messages = [{ role: "user", content: "What is the weather in Paris?" }];
    const first = await client.chat.completions.create({ model, tools: [weatherTool], messages });
    const call = first.choices[0].message.tool_calls[0];
    const result = JSON.stringify(getWeather(JSON.parse(call.function.arguments)));
    const answer = await client.chat.completions.create({
      model,
      tools: [weatherTool],
      messages: [...messages, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: result }],
    });
    console.log("tool call: ", `${call.function.name}(${call.function.arguments}) -> ${answer.choices[0].message.content}`);
  },
  { kind: "chain" },
);

try {
  // Every span started inside, the OpenAI client's included, carries session.id and user.id: the trace tree's header
  // names them, and Phoenix and MLflow group the traces by session.
  await withSession("quickstart-session", () => withUser("demo-user", () => runDemo()));
} finally {
  // Flushes the spans to the JSONL file and prints the trace tree (local.print_tree: true).
  const result = await tracing.shutdown();
  if (!result.ok) {
    console.error("llmops shutdown:", result.error);
    process.exitCode = 1;
  }
  await standIn.close();
}

const written = [...countLines(directory)].map(([file, lines]) => [file, lines - (linesBefore.get(file) ?? 0)]).filter(([, added]) => added > 0);
if (written.length === 0) {
  console.error(`No spans were written to ${relative(process.cwd(), directory)}.`);
  process.exitCode = 1;
}
for (const [file, added] of written) console.log(`\nWrote ${added} spans as JSON lines to ${relative(process.cwd(), join(directory, file))}`);

/** Lines in each .jsonl file of the folder (none when it does not exist yet). */
function countLines(folder) {
  const counts = new Map();
  let names = [];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith(".jsonl"));
  } catch {
    return counts;
  }
  for (const name of names) counts.set(name, readFileSync(join(folder, name), "utf8").split("\n").filter(Boolean).length);
  return counts;
}
