import * as api from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { createAiSdkIntegration } from "../src/instrumentors/ai-sdk/integration";

/**
 * llmops's Vercel AI SDK integration, driven with the event sequences the AI SDK hands to a registered integration (the
 * shapes recorded from ai 7.0.173 and 6.0.326; the real packages run in test/integration/vercel-ai.test.ts): errors,
 * context for what a tool does, privacy, and the registry it joins.
 */
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = provider.getTracer("test");
type Integration = ReturnType<typeof createAiSdkIntegration> & Record<string, (...args: never[]) => unknown>;

function integration(privacy: Record<string, boolean> = {}): { integration: Integration; seen: () => number } {
  let seen = 0;
  const created = createAiSdkIntegration({ api, tracer, privacy, seen: () => seen++ }) as Integration;
  return { integration: created, seen: () => seen };
}
const call = (target: Integration, name: string, event: unknown): unknown => (target[name] as unknown as (event: unknown) => unknown)(event);
const kind = (span: ReadableSpan | undefined): unknown => span?.attributes["openinference.span.kind"];
const byName = (name: string): ReadableSpan | undefined => exporter.getFinishedSpans().find((span) => span.name === name);

afterEach(() => exporter.reset());
afterAll(() => provider.shutdown());

describe("AI SDK integration", () => {
  it("AI SDK 7: a failing tool gets an error status, and what it runs nests under its TOOL span", async () => {
    const { integration: target, seen } = integration();
    const callId = "call-1";
    const toolCall = { type: "tool-call", toolCallId: "t1", toolName: "lookup", input: { q: "x" } };
    await tracer.startActiveSpan("caller", async (caller) => {
      call(target, "onStart", { callId, operationId: "ai.generateText", provider: "openai.responses", modelId: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
      caller.end();
    });
    call(target, "onLanguageModelCallStart", { callId, provider: "openai.responses", modelId: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    call(target, "onLanguageModelCallEnd", { callId, content: [toolCall], usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, finishReason: "tool-calls" });
    call(target, "onToolExecutionStart", { callId, toolCall });
    const executeTool = target.executeTool as unknown as (event: { callId: string; toolCallId: string; execute: () => Promise<void> }) => Promise<void>;
    await executeTool({ callId, toolCallId: "t1", execute: async () => tracer.startSpan("inside-tool").end() });
    call(target, "onToolExecutionEnd", { callId, toolCall, toolOutput: { type: "tool-error", error: new Error("no such thing") } });
    call(target, "onEnd", { callId, text: "done" });

    const agent = byName("ai.generateText");
    expect(agent?.parentSpanContext?.spanId).toBe(byName("caller")?.spanContext().spanId);
    expect(kind(byName("ai.generateText.doGenerate"))).toBe("LLM");
    expect(byName("ai.generateText.doGenerate")?.attributes["llm.token_count.total"]).toBe(7);
    const tool = byName("lookup");
    expect(tool?.status).toEqual({ code: api.SpanStatusCode.ERROR, message: "no such thing" });
    expect(byName("inside-tool")?.parentSpanContext?.spanId).toBe(tool?.spanContext().spanId);
    expect(agent?.attributes["output.value"]).toBe("done");
    expect(seen()).toBeGreaterThan(0);
  });

  it("AI SDK 7: an error ends every open span of the call with the error", () => {
    const { integration: target } = integration();
    call(target, "onStart", { callId: "c2", operationId: "ai.streamText", messages: [] });
    call(target, "onLanguageModelCallStart", { callId: "c2", modelId: "m" });
    call(target, "onError", { callId: "c2", error: new Error("provider down") });
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.status.code])).toEqual([
      ["ai.streamText.doStream", api.SpanStatusCode.ERROR],
      ["ai.streamText", api.SpanStatusCode.ERROR],
    ]);
  });

  it("privacy: hide_inputs and hide_outputs keep prompts and answers out, token counts stay", () => {
    const { integration: target } = integration({ hideInputs: true, hideOutputs: true });
    call(target, "onStart", { callId: "c3", operationId: "ai.generateText", messages: [{ role: "user", content: "secret question" }] });
    call(target, "onLanguageModelCallStart", { callId: "c3", modelId: "m", messages: [{ role: "user", content: "secret question" }] });
    call(target, "onLanguageModelCallEnd", { callId: "c3", content: [{ type: "text", text: "secret answer" }], usage: { inputTokens: 3, outputTokens: 2 } });
    call(target, "onEnd", { callId: "c3", text: "secret answer" });
    const text = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    expect(text).not.toContain("secret");
    expect(byName("ai.generateText.doGenerate")?.attributes["llm.token_count.prompt"]).toBe(3);
  });

  it("AI SDK 6: two calls' events are told apart by the objects each call shares", () => {
    const { integration: target } = integration();
    const stop = [(): boolean => true, (): boolean => true];
    const model = [
      { provider: "openai.chat", modelId: "a" },
      { provider: "openai.chat", modelId: "b" },
    ];
    const stepModel = [{ ...model[0] }, { ...model[1] }];
    for (const index of [0, 1]) call(target, "onStart", { model: model[index], stopWhen: stop[index], prompt: `question ${index}` });
    for (const index of [1, 0]) call(target, "onStepStart", { stepNumber: 0, model: stepModel[index], stopWhen: stop[index], messages: [{ role: "user", content: `question ${index}` }] });
    for (const index of [0, 1]) {
      const result = { model: stepModel[index], content: [{ type: "text", text: `answer ${index}` }], usage: { inputTokens: 1, outputTokens: 1 } };
      call(target, "onStepFinish", result);
      call(target, "onFinish", { model: stepModel[index], text: `answer ${index}`, steps: [result] });
    }
    const agents = exporter.getFinishedSpans().filter((span) => kind(span) === "AGENT");
    expect(agents.map((span) => span.attributes["output.value"])).toEqual(["answer 0", "answer 1"]);
    for (const span of exporter.getFinishedSpans().filter((candidate) => kind(candidate) === "LLM")) {
      const agent = agents.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);
      expect(span.attributes["llm.model_name"]).toBe(agent?.attributes["output.value"] === "answer 0" ? "a" : "b");
    }
  });

  it("never throws into the AI SDK, and joins and leaves its global registry", () => {
    const { integration: target } = integration();
    for (const name of ["onStart", "onStepStart", "onToolCallStart", "onStepFinish", "onFinish", "onLanguageModelCallEnd", "onEnd"]) expect(() => call(target, name, null)).not.toThrow();
    const globals = globalThis as unknown as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] };
    target.enable?.();
    target.enable?.();
    expect(globals.AI_SDK_TELEMETRY_INTEGRATIONS).toHaveLength(1);
    target.disable?.();
    expect(globals.AI_SDK_TELEMETRY_INTEGRATIONS).toEqual([]);
  });
});
