// The real `openai` client with an in-process canned `fetch`: every request is answered after one event-loop turn
// (setImmediate), as real I/O would be, with a fixed chat completion. No socket, so the figures hold only the client
// and the tracing.
import { setImmediate } from "node:timers";

const COMPLETION = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null }, logprobs: null, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  system_fingerprint: "fp_bench",
});

/** A `fetch` that answers one turn of the event loop later. */
export function cannedFetch() {
  return new Promise((resolve) => {
    setImmediate(() => resolve(new globalThis.Response(COMPLETION, { status: 200, headers: { "content-type": "application/json", "x-request-id": "req_bench" } })));
  });
}

/** A client of the given `openai` module that talks to {@link cannedFetch}. */
export function createClient(openaiModule) {
  const OpenAI = openaiModule.OpenAI ?? openaiModule.default ?? openaiModule;
  return new OpenAI({ apiKey: "sk-bench", baseURL: "http://openai.bench.invalid/v1", fetch: cannedFetch, maxRetries: 0 });
}

/** One chat completion, as an app would make it. */
export function chat(client) {
  return client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello." }] });
}
