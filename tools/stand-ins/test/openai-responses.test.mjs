// The OpenAI stand-in's Responses API, through the real `openai` client's `responses` (what @ai-sdk/openai's default
// model calls): text answers, a tool call and its follow-up, and the streamed events the client assembles.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const weather = {
  type: "function",
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe("OpenAI stand-in: Responses API", () => {
  let standIn;
  let client;
  before(async () => {
    standIn = await startOpenAIStandIn();
    client = new OpenAI({ baseURL: standIn.url, apiKey: "test-key", maxRetries: 0 });
  });
  after(() => standIn.close());

  it("answers text with usage", async () => {
    const answer = await client.responses.create({ model: "gpt-4o-mini", instructions: "Be brief.", input: "What is OpenTelemetry?" });
    assert.equal(answer.status, "completed");
    assert.equal(answer.output_text, 'This is the stand-in answering "What is OpenTelemetry?".');
    assert.equal(answer.usage.total_tokens, answer.usage.input_tokens + answer.usage.output_tokens);
  });

  it("calls the tool, then answers from its output", async () => {
    const first = await client.responses.create({ model: "gpt-4o-mini", input: [{ role: "user", content: "Weather in Paris?" }], tools: [weather] });
    const call = first.output[0];
    assert.equal(call.type, "function_call");
    assert.equal(call.name, "get_weather");
    const second = await client.responses.create({
      model: "gpt-4o-mini",
      input: [{ role: "user", content: "Weather in Paris?" }, call, { type: "function_call_output", call_id: call.call_id, output: "21 C" }],
      tools: [weather],
    });
    assert.equal(second.output_text, "The tool returned 21 C. That is the answer.");
  });

  it("streams the same answer as events", async () => {
    const stream = client.responses.stream({ model: "gpt-4o-mini", input: "Say hello." });
    let streamed = "";
    stream.on("response.output_text.delta", (event) => (streamed += event.delta));
    const final = await stream.finalResponse();
    assert.equal(streamed, 'This is the stand-in answering "Say hello.".');
    assert.equal(final.output[0].content[0].text, streamed);
    assert.ok(final.usage.output_tokens > 0);
  });
});
