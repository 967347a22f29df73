// The OpenAI stand-in, through the real `openai` client: what the client parses is what the stand-in must send.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { startOpenAIStandIn } from "@llmops-internal/stand-ins";

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather of a city",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city", "unit"] },
  },
};

describe("OpenAI stand-in", () => {
  let standIn;
  let client;
  before(async () => {
    standIn = await startOpenAIStandIn();
    client = new OpenAI({ baseURL: standIn.url, apiKey: "test-key", maxRetries: 0 });
  });
  after(() => standIn.close());

  it("listens on loopback with a /v1 base URL", () => {
    assert.match(standIn.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it("answers a chat completion with usage, the same way every time", async () => {
    const request = {
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is OpenTelemetry?" },
      ],
    };
    const first = await client.chat.completions.create(request);
    const second = await client.chat.completions.create(request);
    assert.equal(first.object, "chat.completion");
    assert.equal(first.model, "gpt-4o-mini");
    assert.equal(first.choices[0].finish_reason, "stop");
    assert.equal(first.choices[0].message.role, "assistant");
    assert.equal(first.choices[0].message.content, 'This is the stand-in answering "What is OpenTelemetry?".');
    assert.equal(second.choices[0].message.content, first.choices[0].message.content);
    assert.deepEqual(second.usage, first.usage);
    assert.equal(first.usage.total_tokens, first.usage.prompt_tokens + first.usage.completion_tokens);
    assert.ok(first.usage.prompt_tokens > 0 && first.usage.completion_tokens > 0);
    const recorded = standIn.requests.at(-1);
    assert.equal(recorded.path, "/v1/chat/completions");
    assert.equal(recorded.body.messages[1].content, "What is OpenTelemetry?");
    assert.equal(recorded.headers.authorization, "Bearer test-key");
  });

  it("streams chunks ending in [DONE], with a usage chunk when include_usage is set", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Say hi" }],
    });
    let text = "";
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    assert.equal(text, 'This is the stand-in answering "Say hi".');
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.completion_tokens, 12); // This|is|the|stand|-|in|answering|"|Say|hi|"|.
    assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
  });

  it("streams without a usage chunk when include_usage is not set", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Say hi" }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1));
  });

  it("calls a tool when the request has tools and the user spoke last, then answers with the tool's result", async () => {
    const messages = [{ role: "user", content: "What is the weather in Paris?" }];
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", tools: [weatherTool], messages });
    const choice = completion.choices[0];
    assert.equal(choice.finish_reason, "tool_calls");
    assert.equal(choice.message.content, null);
    const [call] = choice.message.tool_calls;
    assert.equal(call.type, "function");
    assert.equal(call.function.name, "get_weather");
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "Paris", unit: "celsius" });
    const followUp = await client.chat.completions.create({
      model: "gpt-4o-mini",
      tools: [weatherTool],
      messages: [...messages, choice.message, { role: "tool", tool_call_id: call.id, content: "18 °C and sunny" }],
    });
    assert.equal(followUp.choices[0].finish_reason, "stop");
    assert.equal(followUp.choices[0].message.content, "The tool returned 18 °C and sunny. That is the answer.");
  });

  it("streams a tool call the client's stream helper assembles", async () => {
    const runner = client.chat.completions.stream({ model: "gpt-4o-mini", tools: [weatherTool], messages: [{ role: "user", content: "Weather in Oslo?" }] });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(JSON.parse(final.choices[0].message.tool_calls[0].function.arguments), { city: "Oslo", unit: "celsius" });
  });

  it("honours tool_choice none and max_tokens", async () => {
    const none = await client.chat.completions.create({ model: "gpt-4o-mini", tools: [weatherTool], tool_choice: "none", messages: [{ role: "user", content: "Weather?" }] });
    assert.equal(none.choices[0].finish_reason, "stop");
    const short = await client.chat.completions.create({ model: "gpt-4o-mini", max_completion_tokens: 3, messages: [{ role: "user", content: "Tell me a long story" }] });
    assert.equal(short.choices[0].finish_reason, "length");
    assert.equal(short.choices[0].message.content, "This is the");
    assert.equal(short.usage.completion_tokens, 3);
  });

  it("returns embeddings as base64 (the client's default) and as floats", async () => {
    const decoded = await client.embeddings.create({ model: "text-embedding-3-small", input: ["alpha", "beta"] });
    assert.equal(standIn.requests.at(-1).body.encoding_format, "base64");
    assert.equal(decoded.data.length, 2);
    assert.equal(decoded.data[0].embedding.length, 16);
    assert.deepEqual(decoded.usage, { prompt_tokens: 2, total_tokens: 2 });
    const floats = await client.embeddings.create({ model: "text-embedding-3-small", input: "alpha", encoding_format: "float", dimensions: 16 });
    const vector = floats.data[0].embedding;
    assert.equal(Math.round(Math.hypot(...vector) * 1e4) / 1e4, 1);
    assert.deepEqual(
      vector.map((value) => Math.fround(value)),
      decoded.data[0].embedding,
    );
  });

  it("answers errors in OpenAI's error shape", async () => {
    await assert.rejects(client.chat.completions.create({ model: "gpt-4o-mini", messages: [] }), (error) => error instanceof OpenAI.BadRequestError && /messages/.test(error.message));
    await assert.rejects(client.completions.create({ model: "gpt-4o-mini", prompt: "x" }), (error) => error instanceof OpenAI.NotFoundError);
  });

  it("closes with kept-alive connections open, twice", async () => {
    const other = await startOpenAIStandIn();
    await new OpenAI({ baseURL: other.url, apiKey: "k" }).chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
    await other.close();
    await other.close();
  });
});
