// An app in which `openai` is loaded twice, as happens when an ES module app uses a CommonJS dependency that
// requires it: `require("openai")` gives the CommonJS build, `import("openai")` the ES module build, two separate
// copies of the client. Two parts of the app also each call instrument(). Every call, through either copy, must give
// exactly one LLM span. Run it plain (`node index.mjs`) or preloaded (`node --import @llmops/platform-arize/register
// index.mjs`): the in-code calls then return the handle of the preloaded pipeline.
import { createRequire } from "node:module";
import { instrument } from "@llmops/platform-arize";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const require = createRequire(import.meta.url);
const openaiFromRequire = require("openai"); // the CommonJS build's module.exports
const { default: OpenAIFromImport } = await import("openai"); // the ES module build's default export, the class

const first = await instrument({ modules: { openai: OpenAIFromImport } });
const second = await instrument({ modules: { openai: openaiFromRequire } }); // a second caller: same handle, nothing patched twice

// A local stand-in of the OpenAI API: no network, no API key.
const standIn = await startOpenAIStandIn();
const clients = {
  require: new openaiFromRequire.OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" }),
  import: new OpenAIFromImport({ baseURL: standIn.url, apiKey: "stand-in-key" }),
};
for (const [how, client] of Object.entries(clients)) {
  const prompt = `mixed-modules example: a call through the copy loaded with ${how}`;
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] });
  console.log(`${prompt} -> ${completion.choices[0].message.content}`);
}
await standIn.close();
console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);
console.log(`openai was loaded as two separate copies: ${openaiFromRequire.OpenAI !== OpenAIFromImport ? "yes" : "no"}`);
console.log(`the second instrument() returned the first one's handle: ${first === second ? "yes" : "no"}`);
const result = await first.shutdown();
console.log(`llmops shutdown: ${result.ok ? "ok" : result.timedOut ? "timed out" : `failed (${result.error ?? "no reason given"})`}`);
