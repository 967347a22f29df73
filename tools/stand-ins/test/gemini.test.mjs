// The Gemini stand-in, through the real `@google/genai` client: what the client parses is what the stand-in must send.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from "@google/genai";
import { startGeminiStandIn } from "@llmops-internal/stand-ins";

const MODEL = "gemini-2.5-flash";
const weatherTool = {
  functionDeclarations: [
    {
      name: "get_weather",
      description: "Current weather of a city",
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING }, unit: { type: Type.STRING, enum: ["celsius", "fahrenheit"] } }, required: ["city", "unit"] },
    },
  ],
};

describe("Gemini stand-in", () => {
  let standIn;
  let ai;
  before(async () => {
    standIn = await startGeminiStandIn();
    ai = new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: standIn.url } });
  });
  after(() => standIn.close());

  it("listens on loopback and is the client's baseUrl", async () => {
    assert.match(standIn.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await ai.models.generateContent({ model: MODEL, contents: "Hi" });
    const recorded = standIn.requests.at(-1);
    assert.equal(recorded.path, `/v1beta/models/${MODEL}:generateContent`);
    assert.equal(recorded.headers["x-goog-api-key"], "test-key");
  });

  it("answers generateContent with usage, the same way every time", async () => {
    const request = { model: MODEL, contents: "Hello Gemini", config: { systemInstruction: "Be brief.", temperature: 0.2 } };
    const first = await ai.models.generateContent(request);
    const second = await ai.models.generateContent(request);
    assert.equal(first.text, 'This is the stand-in answering "Hello Gemini".');
    assert.equal(second.text, first.text);
    assert.equal(first.candidates[0].finishReason, "STOP");
    assert.equal(first.candidates[0].content.role, "model");
    assert.equal(first.modelVersion, MODEL);
    assert.equal(first.usageMetadata.candidatesTokenCount, 12);
    assert.ok(first.usageMetadata.promptTokenCount > 0);
    assert.equal(first.usageMetadata.totalTokenCount, first.usageMetadata.promptTokenCount + 12);
    assert.deepEqual(first.usageMetadata.promptTokensDetails, [{ modality: "TEXT", tokenCount: first.usageMetadata.promptTokenCount }]);
    assert.equal(standIn.requests.at(-1).body.generationConfig.temperature, 0.2);
  });

  it("counts images apart and reports thoughts and cached tokens when asked", async () => {
    const image = { inlineData: { mimeType: "image/png", data: Buffer.from("not really a png").toString("base64") } };
    const seen = await ai.models.generateContent({ model: MODEL, contents: [{ role: "user", parts: [{ text: "What is this?" }, image] }] });
    assert.deepEqual(
      seen.usageMetadata.promptTokensDetails.map((detail) => detail.modality),
      ["TEXT", "IMAGE"],
    );
    assert.equal(seen.usageMetadata.promptTokensDetails[1].tokenCount, 258);
    const thought = await ai.models.generateContent({ model: MODEL, contents: "Think", config: { thinkingConfig: { thinkingBudget: 128, includeThoughts: true } } });
    assert.equal(thought.usageMetadata.thoughtsTokenCount, 7);
    assert.equal(thought.candidates[0].content.parts[0].thought, true);
    assert.equal(thought.text, 'This is the stand-in answering "Think".');
    const cached = await ai.models.generateContent({ model: MODEL, contents: "One two three four", config: { cachedContent: "cachedContents/abc" } });
    assert.equal(cached.usageMetadata.cachedContentTokenCount, Math.floor(cached.usageMetadata.promptTokenCount / 2));
  });

  it("streams SSE chunks with CRLF separators, the full usage and finishReason in the last one", async () => {
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: "Hello Gemini, how are you today?" })) chunks.push(chunk);
    assert.ok(chunks.length > 2);
    assert.equal(chunks.map((chunk) => chunk.text).join(""), 'This is the stand-in answering "Hello Gemini, how are you today?".');
    const last = chunks.at(-1);
    assert.equal(last.candidates[0].finishReason, "STOP");
    assert.ok(last.usageMetadata.candidatesTokenCount > 0);
    assert.equal(chunks[0].usageMetadata.candidatesTokenCount, undefined);
    assert.equal(chunks[0].candidates[0].finishReason, undefined);
    assert.equal(standIn.requests.at(-1).path, `/v1beta/models/${MODEL}:streamGenerateContent`);
    assert.equal(standIn.requests.at(-1).query.alt, "sse");

    const raw = await globalThis.fetch(`${standIn.url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers: { "x-goog-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] }),
    });
    assert.match(raw.headers.get("content-type"), /^text\/event-stream/);
    const text = await raw.text();
    assert.match(text, /^data: \{.*\}\r\n\r\n/);
    assert.ok(text.endsWith("\r\n\r\n"));
    const array = await globalThis.fetch(`${standIn.url}/v1beta/models/${MODEL}:streamGenerateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] }),
    });
    assert.ok(Array.isArray(await array.json()));
  });

  it("calls a function, streamed or not, then answers with the function's response", async () => {
    const contents = [{ role: "user", parts: [{ text: "What is the weather in Rome?" }] }];
    const called = await ai.models.generateContent({ model: MODEL, contents, config: { tools: [weatherTool] } });
    assert.deepEqual(called.functionCalls, [{ name: "get_weather", args: { city: "Rome", unit: "celsius" } }]);
    const streamed = [];
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents, config: { tools: [weatherTool] } })) streamed.push(...(chunk.functionCalls ?? []));
    assert.deepEqual(streamed, called.functionCalls);
    const none = await ai.models.generateContent({ model: MODEL, contents, config: { tools: [weatherTool], toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } } } });
    assert.equal(none.functionCalls, undefined);
    const answer = await ai.models.generateContent({
      model: MODEL,
      contents: [...contents, called.candidates[0].content, { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temperature: 21 } } }] }],
      config: { tools: [weatherTool] },
    });
    assert.equal(answer.text, 'The tool returned {"temperature":21}. That is the answer.');
  });

  it("holds a chat: history goes back with each message", async () => {
    const chat = ai.chats.create({ model: MODEL, config: { tools: [weatherTool] } });
    const first = await chat.sendMessage({ message: "Weather in Paris?" });
    assert.equal(first.functionCalls[0].args.city, "Paris");
    const second = await chat.sendMessage({ message: [{ functionResponse: { name: "get_weather", response: { sky: "clear" } } }] });
    assert.equal(second.text, 'The tool returned {"sky":"clear"}. That is the answer.');
    assert.equal(standIn.requests.at(-1).body.contents.length, 3);
  });

  it("cuts at maxOutputTokens", async () => {
    const cut = await ai.models.generateContent({ model: MODEL, contents: "Long story", config: { maxOutputTokens: 2 } });
    assert.equal(cut.candidates[0].finishReason, "MAX_TOKENS");
    assert.equal(cut.text, "This is");
  });

  it("embeds, one content or many, with outputDimensionality", async () => {
    const one = await ai.models.embedContent({ model: "gemini-embedding-001", contents: "hello" });
    assert.equal(one.embeddings.length, 1);
    assert.equal(one.embeddings[0].values.length, 16);
    const many = await ai.models.embedContent({ model: "gemini-embedding-001", contents: ["hello", "world"], config: { outputDimensionality: 8 } });
    assert.equal(many.embeddings.length, 2);
    assert.equal(many.embeddings[1].values.length, 8);
    assert.notDeepEqual(many.embeddings[0].values, many.embeddings[1].values);
    assert.ok(Math.abs(Math.hypot(...many.embeddings[0].values) - 1) < 1e-3);
    const again = await ai.models.embedContent({ model: "gemini-embedding-001", contents: "hello" });
    assert.deepEqual(again.embeddings[0].values, one.embeddings[0].values);
    const direct = await globalThis.fetch(`${standIn.url}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({ content: { parts: [{ text: "hello" }] } }),
    });
    assert.equal((await direct.json()).embedding.values.length, 16);
  });

  it("counts tokens", async () => {
    const counted = await ai.models.countTokens({ model: MODEL, contents: "Hello Gemini" });
    assert.equal(counted.totalTokens, 4);
  });

  it("answers errors as { error: { code, message, status } }, which the client raises as ApiError", async () => {
    for (const [model, status, name] of [
      ["gemini-error-400", 400, "INVALID_ARGUMENT"],
      ["gemini-error-429", 429, "RESOURCE_EXHAUSTED"],
      ["gemini-error-500", 500, "INTERNAL"],
    ]) {
      await assert.rejects(ai.models.generateContent({ model, contents: "x" }), (error) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, status);
        const body = JSON.parse(error.message);
        assert.equal(body.error.code, status);
        assert.equal(body.error.status, name);
        return true;
      });
    }
    await assert.rejects(ai.models.generateContentStream({ model: "gemini-error-429", contents: "x" }), (error) => error instanceof ApiError && error.status === 429);
    const empty = await globalThis.fetch(`${standIn.url}/v1beta/models/${MODEL}:generateContent`, { method: "POST", headers: { "x-goog-api-key": "k" }, body: JSON.stringify({ contents: [] }) });
    assert.equal(empty.status, 400);
    assert.deepEqual(Object.keys((await empty.json()).error), ["code", "message", "status"]);
    const raw = await globalThis.fetch(`${standIn.url}/v1beta/models/${MODEL}:generateContent`, { method: "POST", body: "{}" });
    assert.equal(raw.status, 403);
    assert.equal((await raw.json()).error.status, "PERMISSION_DENIED");
  });

  it("can fail in the middle of a stream, with an error event", async () => {
    const stream = await ai.models.generateContentStream({ model: "gemini-stream-error-500", contents: "Hello there, stand-in" });
    const seen = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.text);
      })(),
      (error) => error instanceof ApiError && error.status === 500,
    );
    assert.equal(seen.length, 1);
  });
});
