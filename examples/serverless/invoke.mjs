// A local stand-in of a serverless runtime: loads the handler (cold start), invokes it once per event, and right
// after the last invocation returns, ends the process the way a frozen function instance looks from outside:
// process.exit() runs no pending timers or exit flushes, so only spans flushed by the handler itself arrive.
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

// The LLM: a local stand-in of the OpenAI API (no network, no API key), configured the way a function is, by env.
const standIn = await startOpenAIStandIn();
process.env.OPENAI_BASE_URL = standIn.url;
process.env.OPENAI_API_KEY = "stand-in-key";

const { handler } = await import("./handler.mjs");
const events = [{ question: "serverless example: what is OpenTelemetry?" }, { question: "serverless example: what is a span?" }];
for (const event of events) {
  const response = await handler(event);
  console.log(`${event.question} -> ${response.statusCode} ${response.body}`);
}
console.log(`The OpenAI stand-in answered ${standIn.requests.length} requests.`);
process.exit(0);
