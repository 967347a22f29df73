// The instrumentation with the real @google/genai client (CommonJS) against the Gemini stand-in.
import { context, trace } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import * as genai from "@google/genai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GoogleGenAIInstrumentation, VERSION } from "../src";
import { startGeminiStandInProcess } from "./gemini-stand-in";
import type { StandInProcess } from "./gemini-stand-in";

const MODEL = "gemini-2.5-flash";
const weatherTool = {
  functionDeclarations: [
    {
      name: "get_weather",
      description: "Current weather of a city",
      parameters: { type: genai.Type.OBJECT, properties: { city: { type: genai.Type.STRING } }, required: ["city"] },
    },
  ],
};

/**
 * jest's sandbox has its own globals, without the undici dispatcher Node's fetch registers on the real one, which the
 * client's own dispatcher looks up: requests go through plain fetch instead.
 */
const sandboxFetch = ((input: string | URL | Request, init?: RequestInit & { dispatcher?: unknown }) => {
  const { dispatcher, ...rest } = init ?? {};
  void dispatcher;
  return fetch(input, rest);
}) as typeof fetch;
const clientOptions = (url: string): genai.GoogleGenAIOptions => ({ apiKey: "test-key", httpOptions: { baseUrl: url, fetch: sandboxFetch } as genai.HttpOptions });

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const instrumentation = new GoogleGenAIInstrumentation({ tracerProvider: provider, instrumentationConfig: { enabled: false } });
let standIn: StandInProcess;
let ai: genai.GoogleGenAI;

beforeAll(async () => {
  standIn = await startGeminiStandInProcess();
  instrumentation.manuallyInstrument(genai);
  ai = new genai.GoogleGenAI(clientOptions(standIn.url));
}, 30_000);
afterAll(async () => {
  await standIn.close();
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const only = (): ReadableSpan => {
  const finished = spans();
  expect(finished).toHaveLength(1);
  return finished[0] as ReadableSpan;
};
/** The attributes under a prefix, without it: `llm.input_messages` → `{ "0.message.role": "user", ... }`. */
function under(attributes: Attributes, prefix: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) if (key.startsWith(`${prefix}.`)) result[key.slice(prefix.length + 1)] = value;
  return result;
}

describe("GoogleGenAIInstrumentation with the real @google/genai", () => {
  it("reaches the instance arrow functions the client assigns in its constructor", () => {
    // What prototype patching misses: the method lives on each instance. The prototype's setter put the wrapper there.
    expect(Object.prototype.hasOwnProperty.call(ai.models, "generateContent")).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(genai.Models.prototype, "generateContent")).toBe(true);
    expect(typeof Object.getOwnPropertyDescriptor(genai.Models.prototype, "generateContentStream")?.set).toBe("function");
    expect(ai.models.generateContent.name).not.toBe("generateContent");
  });

  it("names its spans' scope after the package and its published version", async () => {
    await ai.models.countTokens({ model: MODEL, contents: "scope" });
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { name: string; version: string };
    expect(VERSION).toBe(manifest.version);
    expect(only().instrumentationScope).toEqual(expect.objectContaining({ name: manifest.name, version: manifest.version }));
  });

  it("generateContent: one LLM span under the active span, with model, parameters, messages and token counts", async () => {
    const parent = provider.getTracer("test").startSpan("parent");
    const response = await context.with(trace.setSpan(context.active(), parent), () =>
      ai.models.generateContent({ model: MODEL, contents: "Hello Gemini", config: { systemInstruction: "Be brief.", temperature: 0.2, maxOutputTokens: 100 } }),
    );
    parent.end();
    expect(response.text).toBe('This is the stand-in answering "Hello Gemini".');
    const span = spans().find((candidate) => candidate.name === "GoogleGenAI generateContent");
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    const attributes = span?.attributes ?? {};
    expect(attributes).toEqual(
      expect.objectContaining({
        "openinference.span.kind": "LLM",
        "llm.provider": "google",
        "llm.model_name": MODEL,
        "input.value": "Hello Gemini",
        "input.mime_type": "text/plain",
        "output.value": 'This is the stand-in answering "Hello Gemini".',
        "output.mime_type": "text/plain",
        "llm.token_count.prompt": response.usageMetadata?.promptTokenCount,
        "llm.token_count.completion": 12,
        "llm.token_count.total": (response.usageMetadata?.promptTokenCount ?? 0) + 12,
      }),
    );
    expect(JSON.parse(String(attributes["llm.invocation_parameters"]))).toEqual({ temperature: 0.2, maxOutputTokens: 100 });
    expect(under(attributes, "llm.input_messages")).toEqual({
      "0.message.role": "system",
      "0.message.content": "Be brief.",
      "1.message.role": "user",
      "1.message.content": "Hello Gemini",
    });
    expect(under(attributes, "llm.output_messages")).toEqual({ "0.message.role": "assistant", "0.message.content": response.text });
    expect(span?.status.code).toBe(1);
  });

  it("generateContentStream: recorded as consumed, ended at the last chunk with its token counts", async () => {
    const whole = await ai.models.generateContent({ model: MODEL, contents: "Tell me about the weather in Rome today" });
    exporter.reset();
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: "Tell me about the weather in Rome today" });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      // Not ended while the app is still reading.
      expect(spans()).toHaveLength(0);
      text += chunk.text ?? "";
      chunks++;
    }
    expect(chunks).toBeGreaterThan(2);
    const span = only();
    expect(span.name).toBe("GoogleGenAI generateContentStream");
    expect(span.attributes["output.value"]).toBe(text);
    expect(span.attributes["llm.output_messages.0.message.content"]).toBe(text);
    // Only the last chunk carries the completion count.
    expect(span.attributes["llm.token_count.completion"]).toBe(whole.usageMetadata?.candidatesTokenCount);
    expect(span.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(span.attributes["llm.token_count.total"]).toBe(Number(span.attributes["llm.token_count.prompt"]) + Number(span.attributes["llm.token_count.completion"]));
  });

  it("generateContentStream: a stream the app leaves early ends its span with what was read", async () => {
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: "Tell me about the weather in Rome today" });
    let first = "";
    for await (const chunk of stream) {
      first = chunk.text ?? "";
      break;
    }
    const span = only();
    expect(span.attributes["output.value"]).toBe(first);
    expect(span.attributes["llm.token_count.completion"]).toBeUndefined();
  });

  it("function calling: tools, the model's call and the function's response as messages", async () => {
    const contents: genai.Content[] = [{ role: "user", parts: [{ text: "What is the weather in Rome?" }] }];
    const called = await ai.models.generateContent({ model: MODEL, contents, config: { tools: [weatherTool] } });
    const first = only().attributes;
    expect(JSON.parse(String(first["llm.tools.0.tool.json_schema"]))).toEqual(expect.objectContaining({ name: "get_weather" }));
    expect(under(first, "llm.output_messages")).toEqual({
      "0.message.role": "assistant",
      "0.message.tool_calls.0.tool_call.function.name": "get_weather",
      "0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Rome"}',
    });
    expect(JSON.parse(String(first["output.value"]))).toEqual([{ name: "get_weather", args: { city: "Rome" } }]);
    exporter.reset();
    await ai.models.generateContent({
      model: MODEL,
      contents: [...contents, called.candidates?.[0]?.content as genai.Content, { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temperature: 21 } } }] }],
      config: { tools: [weatherTool] },
    });
    expect(under(only().attributes, "llm.input_messages")).toEqual({
      "0.message.role": "user",
      "0.message.content": "What is the weather in Rome?",
      "1.message.role": "assistant",
      "1.message.tool_calls.0.tool_call.function.name": "get_weather",
      "1.message.tool_calls.0.tool_call.function.arguments": '{"city":"Rome"}',
      "2.message.role": "tool",
      "2.message.name": "get_weather",
      "2.message.content": '{"temperature":21}',
    });
  });

  it("chats: sendMessage and sendMessageStream give LLM spans with the history", async () => {
    const chat = ai.chats.create({ model: MODEL });
    await chat.sendMessage({ message: "First question" });
    const stream = await chat.sendMessageStream({ message: "Second question" });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.text ?? "";
    const [first, second] = spans();
    expect(first?.name).toBe("GoogleGenAI generateContent");
    expect(second?.name).toBe("GoogleGenAI generateContentStream");
    expect(under(second?.attributes ?? {}, "llm.input_messages")).toEqual({
      "0.message.role": "user",
      "0.message.content": "First question",
      "1.message.role": "assistant",
      "1.message.content": 'This is the stand-in answering "First question".',
      "2.message.role": "user",
      "2.message.content": "Second question",
    });
    expect(second?.attributes["output.value"]).toBe(streamed);
    expect(second?.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
  });

  it("images are recorded as references, never as their bytes", async () => {
    const bytes = Buffer.alloc(3000, 7).toString("base64");
    await ai.models.generateContent({
      model: MODEL,
      contents: [
        { role: "user", parts: [{ text: "What is this?" }, { inlineData: { mimeType: "image/png", data: bytes } }, { fileData: { mimeType: "image/jpeg", fileUri: "gs://bucket/cat.jpg" } }] },
      ],
    });
    const attributes = only().attributes;
    expect(under(attributes, "llm.input_messages")).toEqual({
      "0.message.role": "user",
      "0.message.contents.0.message_content.type": "text",
      "0.message.contents.0.message_content.text": "What is this?",
      "0.message.contents.1.message_content.type": "image",
      "0.message.contents.1.message_content.image.image.url": "inline:image/png;3000 bytes",
      "0.message.contents.2.message_content.type": "image",
      "0.message.contents.2.message_content.image.image.url": "gs://bucket/cat.jpg",
    });
    expect(JSON.stringify(attributes)).not.toContain(bytes.slice(0, 40));
  });

  it("thoughts and cached tokens: completion includes the thoughts, reported as reasoning; cache reads as prompt details", async () => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: "One two three four",
      config: { thinkingConfig: { thinkingBudget: 64, includeThoughts: true }, cachedContent: "cachedContents/abc" },
    });
    const attributes = only().attributes;
    const usage = response.usageMetadata;
    expect(attributes["llm.token_count.completion_details.reasoning"]).toBe(7);
    expect(attributes["llm.token_count.completion"]).toBe((usage?.candidatesTokenCount ?? 0) + 7);
    expect(attributes["llm.token_count.prompt_details.cache_read"]).toBe(usage?.cachedContentTokenCount);
    expect(attributes["llm.token_count.total"]).toBe(usage?.totalTokenCount);
    // The thought itself is not an output message.
    expect(attributes["llm.output_messages.0.message.content"]).toBe(response.text);
  });

  it("embedContent: an EMBEDDING span with each text and its vector", async () => {
    const response = await ai.models.embedContent({ model: "gemini-embedding-001", contents: ["hello", "world"], config: { outputDimensionality: 8 } });
    const span = only();
    expect(span.name).toBe("GoogleGenAI embedContent");
    expect(span.attributes).toEqual(
      expect.objectContaining({
        "openinference.span.kind": "EMBEDDING",
        "embedding.model_name": "gemini-embedding-001",
        "embedding.embeddings.0.embedding.text": "hello",
        "embedding.embeddings.1.embedding.text": "world",
        "embedding.embeddings.1.embedding.vector": response.embeddings?.[1]?.values,
      }),
    );
    expect(JSON.parse(String(span.attributes["llm.invocation_parameters"]))).toEqual({ outputDimensionality: 8 });
  });

  it("countTokens: a span with the count, and no token usage to bill", async () => {
    const counted = await ai.models.countTokens({ model: MODEL, contents: "Hello Gemini" });
    const span = only();
    expect(span.name).toBe("GoogleGenAI countTokens");
    expect(span.attributes["openinference.span.kind"]).toBe("CHAIN");
    expect(JSON.parse(String(span.attributes["output.value"]))).toEqual({ totalTokens: counted.totalTokens });
    expect(span.attributes["llm.token_count.prompt"]).toBeUndefined();
  });

  it.each([
    ["gemini-error-400", 400],
    ["gemini-error-429", 429],
    ["gemini-error-500", 500],
  ])("errors (%s): recorded on the span and still thrown to the app", async (model, status) => {
    await expect(ai.models.generateContent({ model, contents: "x" })).rejects.toMatchObject({ status });
    const span = only();
    expect(span.status.code).toBe(2);
    expect(span.events.map((event) => event.name)).toEqual(["exception"]);
    expect(String(span.status.message)).toContain(String(status));
  });

  it("an error in the middle of a stream ends the span with the error and what was read", async () => {
    const stream = await ai.models.generateContentStream({ model: "gemini-stream-error-500", contents: "Hello there, stand-in" });
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toMatchObject({ status: 500 });
    const span = only();
    expect(span.status.code).toBe(2);
    expect(span.events.map((event) => event.name)).toEqual(["exception"]);
  });

  it("disable() stops tracing the clients already built; manuallyInstrument turns it back on", async () => {
    instrumentation.disable();
    try {
      await ai.models.generateContent({ model: MODEL, contents: "quiet" });
      expect(spans()).toHaveLength(0);
    } finally {
      instrumentation.manuallyInstrument(genai);
    }
    const client = new genai.GoogleGenAI(clientOptions(standIn.url));
    await client.models.generateContent({ model: MODEL, contents: "loud" });
    expect(spans()).toHaveLength(1);
  });
});

describe("GoogleGenAIInstrumentation's trace config", () => {
  it("hides inputs and output text as OpenInference's switches say", async () => {
    const privacyExporter = new InMemorySpanExporter();
    const privacyProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(privacyExporter)] });
    const hidden = new GoogleGenAIInstrumentation({ tracerProvider: privacyProvider, traceConfig: { hideInputs: true, hideOutputText: true } });
    // The shared copy of the module is patched already (one patch per copy); a fresh copy shows this config.
    let fresh: typeof genai | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fresh = require("@google/genai") as typeof genai;
    });
    if (fresh === undefined) throw new Error("no fresh copy of @google/genai");
    hidden.manuallyInstrument(fresh);
    const client = new fresh.GoogleGenAI(clientOptions(standIn.url));
    await client.models.generateContent({ model: MODEL, contents: "secret question" });
    const [span] = privacyExporter.getFinishedSpans();
    expect(span?.attributes["input.value"]).toBe("__REDACTED__");
    expect(Object.keys(span?.attributes ?? {}).filter((key) => key.startsWith("llm.input_messages"))).toEqual([]);
    expect(span?.attributes["llm.output_messages.0.message.content"]).toBe("__REDACTED__");
    expect(span?.attributes["llm.output_messages.0.message.role"]).toBe("assistant");
    expect(span?.attributes["llm.token_count.completion"]).toBe(12);
    await privacyProvider.shutdown();
  });
});
