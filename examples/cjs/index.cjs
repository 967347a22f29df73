// A CommonJS app with no tracing code: started as
//   node --require @llmops/platform-arize/register index.cjs
// the register module runs llmops's pipeline (./llmops.yaml) before this file loads and hooks `require`, so the
// `openai` required below is patched.
const OpenAI = require("openai");
const { getActiveInstrumentation } = require("@llmops/core");

async function main() {
  // Under --require the app starts while llmops is still starting up (reading the config, creating the exporter):
  // wait for it before the first LLM call, or that call is not traced.
  const tracing = await getActiveInstrumentation();
  const instrumented = (tracing?.instrumentations ?? []).filter((report) => report.status === "instrumented").map((report) => report.key);
  console.log(`llmops: platform ${tracing?.platform}, active ${tracing?.active}, instrumented: ${instrumented.join(", ") || "nothing"}`);

  // The stand-in package is ESM only: a CommonJS app loads it with import().
  const { startOpenAIStandIn } = await import("@llmops-internal/stand-ins");
  const standIn = await startOpenAIStandIn(); // a local stand-in of the OpenAI API: no network, no API key
  const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });

  const prompts = ["CJS example: what is OpenTelemetry?", "CJS example: what is a span?"];
  for (const prompt of prompts) {
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
    console.log(`${prompt} -> ${completion.choices[0].message.content}`);
  }
  await standIn.close();
  console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);
  // Queued spans are flushed when the process exits.
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
