// The Anthropic stand-in, through the real `@anthropic-ai/sdk` client.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { startAnthropicStandIn } from "@llmops-internal/stand-ins";

const MODEL = "claude-haiku-4-5";
const weatherTool = { name: "get_weather", description: "Current weather", input_schema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } };

describe("Anthropic stand-in", () => {
  let standIn;
  let client;
  before(async () => {
    standIn = await startAnthropicStandIn();
    client = new Anthropic({ baseURL: standIn.baseURL, apiKey: "test-key", maxRetries: 0 });
  });
  after(() => standIn.close());

  it("gives a /v1 url and the origin the client wants", () => {
    assert.equal(standIn.url, `${standIn.baseURL}/v1`);
  });

  it("answers a message with usage, the same way every time", async () => {
    const request = { model: MODEL, max_tokens: 256, system: "Be brief.", messages: [{ role: "user", content: "Hello Claude" }] };
    const first = await client.messages.create(request);
    const second = await client.messages.create(request);
    assert.equal(first.type, "message");
    assert.equal(first.role, "assistant");
    assert.equal(first.stop_reason, "end_turn");
    assert.deepEqual(first.content, [{ type: "text", text: 'This is the stand-in answering "Hello Claude".' }]);
    assert.deepEqual(second.content, first.content);
    assert.ok(first.usage.input_tokens > 0);
    assert.equal(first.usage.output_tokens, 12);
    const recorded = standIn.requests.at(-1);
    assert.equal(recorded.path, "/v1/messages");
    // 0.x clients send x-api-key, 1.x clients a bearer token.
    assert.ok(recorded.headers["x-api-key"] === "test-key" || recorded.headers.authorization === "Bearer test-key");
    assert.ok(recorded.headers["anthropic-version"]);
  });

  it("streams Anthropic's events, which the client's MessageStream assembles", async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: [{ role: "user", content: "Hello Claude" }] });
    let text = "";
    stream.on("text", (piece) => {
      text += piece;
    });
    const final = await stream.finalMessage();
    assert.equal(text, 'This is the stand-in answering "Hello Claude".');
    assert.deepEqual(final.content, [{ type: "text", text }]);
    assert.equal(final.stop_reason, "end_turn");
    assert.equal(final.usage.output_tokens, 12);

    const raw = await client.messages.create({ model: MODEL, max_tokens: 256, stream: true, messages: [{ role: "user", content: "Hi" }] });
    const types = [];
    for await (const event of raw) types.push(event.type);
    assert.deepEqual([types[0], types[1], types.at(-3), types.at(-2), types.at(-1)], ["message_start", "content_block_start", "content_block_stop", "message_delta", "message_stop"]);
  });

  it("uses a tool, streamed or not, then answers with the tool's result", async () => {
    const messages = [{ role: "user", content: "What is the weather in Rome?" }];
    const message = await client.messages.create({ model: MODEL, max_tokens: 256, tools: [weatherTool], messages });
    assert.equal(message.stop_reason, "tool_use");
    const [use] = message.content;
    assert.equal(use.type, "tool_use");
    assert.equal(use.name, "get_weather");
    assert.deepEqual(use.input, { location: "Rome" });
    const streamed = await client.messages.stream({ model: MODEL, max_tokens: 256, tools: [weatherTool], messages }).finalMessage();
    assert.deepEqual(streamed.content[0].input, { location: "Rome" });
    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [...messages, { role: "assistant", content: message.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "21 °C" }] }],
    });
    assert.equal(answer.stop_reason, "end_turn");
    assert.equal(answer.content[0].text, "The tool returned 21 °C. That is the answer.");
  });

  it("cuts at max_tokens", async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 2, messages: [{ role: "user", content: "Long story" }] });
    assert.equal(message.stop_reason, "max_tokens");
    assert.equal(message.content[0].text, "This is");
  });

  it("answers errors in Anthropic's error shape", async () => {
    await assert.rejects(
      client.messages.create({ model: MODEL, messages: [{ role: "user", content: "x" }] }),
      (error) => error instanceof Anthropic.BadRequestError && /max_tokens/.test(error.message),
    );
    await assert.rejects(client.models.list(), (error) => error instanceof Anthropic.NotFoundError);
  });
});
