// A support agent as users write it (ESM): a function wrapped with trace({ kind: "agent" }) sends the customer's
// message to the real openai client (talking to a local stand-in, which quotes the message in its answer). The
// message holds an email address, a card number and an API key. Traced by the platform named in
// LLMOPS_E2E_PLATFORM with the configuration file named by LLMOPS_CONFIG_PATH (llmops.yaml next to this file).
// Prints one JSON line: what it did and what the agent got back.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as openaiModule from "openai";
import { getPlatform, trace } from "@llmops/core";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const openaiStandIn = await startOpenAIStandIn();

const tracing = await getPlatform(process.env.LLMOPS_E2E_PLATFORM, { appRoot }).instrument({ appRoot, flushOnExit: false, modules: { openai: openaiModule } });

const openai = new openaiModule.OpenAI({ baseURL: openaiStandIn.url, apiKey: "stand-in-key" });

const supportAgent = trace(
  async function support_agent(message) {
    const completion = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: message }] });
    return completion.choices[0].message.content;
  },
  { kind: "agent" },
);

const answer = await supportAgent(process.env.LLMOPS_E2E_MESSAGE);

const shutdown = await tracing.shutdown({ timeoutMillis: 20_000 });
process.stdout.write(
  `${JSON.stringify({
    active: tracing.active,
    issues: tracing.issues,
    configFile: tracing.configFile,
    shutdown,
    answer,
    chatRequests: openaiStandIn.requests.filter((request) => request.path === "/v1/chat/completions").length,
  })}\n`,
);
await openaiStandIn.close();
