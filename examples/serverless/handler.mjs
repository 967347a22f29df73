// A serverless function (AWS Lambda's shape). The runtime freezes the process as soon as the handler's promise
// settles, so spans still queued then are lost: the handler flushes them before it returns.
import OpenAI from "openai";
import { forceFlush } from "@llmops/core";
import { instrument } from "@llmops/platform-arize";

// Cold start, once per container: llmops.yaml from the app root; the imported `openai` is handed in to be patched.
await instrument({ modules: { openai: OpenAI } });
const client = new OpenAI(); // OPENAI_BASE_URL and OPENAI_API_KEY from the environment

/**
 * @param {{ question: string }} event
 * @returns {Promise<{ statusCode: number, body: string }>}
 */
export const handler = async (event) => {
  try {
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: event.question }] });
    return { statusCode: 200, body: JSON.stringify({ answer: completion.choices[0].message.content }) };
  } finally {
    // Exports every ended span of this invocation; resolves (never rejects) within 5 s, also when the backend is down.
    await forceFlush();
  }
};
