import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { GenAiConventionsProcessor, toGenAiAttributes } from "@llmops/platform-otlp";

/** A chat span as the OpenInference OpenAI instrumentor records one: system + user in, an assistant tool call out. */
const chatSpan = {
  "openinference.span.kind": "LLM",
  "llm.provider": "openai",
  "llm.system": "openai",
  "llm.model_name": "gpt-4o-mini",
  "llm.invocation_parameters": JSON.stringify({ model: "gpt-4o-mini", temperature: 0.2, max_tokens: 64, stop: "END" }),
  "llm.input_messages.0.message.role": "system",
  "llm.input_messages.0.message.content": "Be brief.",
  "llm.input_messages.1.message.role": "user",
  "llm.input_messages.1.message.contents.0.message_content.type": "text",
  "llm.input_messages.1.message.contents.0.message_content.text": "Weather in Paris?",
  "llm.input_messages.1.message.contents.1.message_content.type": "image",
  "llm.input_messages.1.message.contents.1.message_content.image.image.url": "https://example.com/cloud.png",
  "llm.output_messages.0.message.role": "assistant",
  "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
  "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
  "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Paris"}',
  "llm.tools.0.tool.json_schema": JSON.stringify({ type: "function", function: { name: "get_weather" } }),
  "llm.token_count.prompt": 30,
  "llm.token_count.completion": 7,
  "llm.token_count.total": 37,
  "llm.token_count.prompt_details.cache_read": 10,
  "input.value": "{}",
  "session.id": "s-1",
};

describe("OpenInference to GenAI conventions", () => {
  it("maps operation, provider, model, parameters, usage, messages and tools", () => {
    const { set, replaced } = toGenAiAttributes(chatSpan, "ChatCompletion");
    expect(set).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 64,
      "gen_ai.request.stop_sequences": ["END"],
      "gen_ai.usage.input_tokens": 30,
      "gen_ai.usage.output_tokens": 7,
      "gen_ai.usage.cache_read.input_tokens": 10,
      "gen_ai.conversation.id": "s-1",
    });
    expect(JSON.parse(set["gen_ai.system_instructions"] as string)).toEqual([{ type: "text", content: "Be brief." }]);
    expect(JSON.parse(set["gen_ai.input.messages"] as string)).toEqual([
      {
        role: "user",
        parts: [
          { type: "text", content: "Weather in Paris?" },
          { type: "uri", modality: "image", uri: "https://example.com/cloud.png" },
        ],
      },
    ]);
    expect(JSON.parse(set["gen_ai.output.messages"] as string)).toEqual([{ role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }] }]);
    expect(JSON.parse(set["gen_ai.tool.definitions"] as string)).toEqual([{ type: "function", function: { name: "get_weather" } }]);
    expect(replaced).toEqual(
      expect.arrayContaining(["llm.model_name", "llm.token_count.prompt", "llm.input_messages.1.message.role", "llm.output_messages.0.message.role", "llm.tools.0.tool.json_schema"]),
    );
    expect(replaced).not.toContain("input.value");
  });

  it("maps tool and agent spans to execute_tool and invoke_agent with their names", () => {
    expect(toGenAiAttributes({ "openinference.span.kind": "TOOL", "tool.name": "get_weather", "input.value": '{"city":"Paris"}', "output.value": "sunny" }, "tool").set).toEqual({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "get_weather",
      "gen_ai.tool.call.arguments": '{"city":"Paris"}',
      "gen_ai.tool.call.result": "sunny",
    });
    expect(toGenAiAttributes({ "openinference.span.kind": "AGENT" }, "planner").set).toEqual({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner" });
  });

  it("leaves spans without an OpenInference kind (HTTP, the app's own) alone", () => {
    expect(toGenAiAttributes({ "http.method": "GET" }, "GET /").set).toEqual({});
    expect(toGenAiAttributes({ "openinference.span.kind": "CHAIN" }, "chain").set).toEqual({});
  });

  it("rewrites the span in the provider before the exporter sees it, sending content once", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new GenAiConventionsProcessor(), new SimpleSpanProcessor(exporter)] });
    const span = provider.getTracer("t").startSpan("ChatCompletion", { attributes: chatSpan });
    span.end();
    await provider.forceFlush();
    const [exported] = exporter.getFinishedSpans();
    expect(exported?.attributes["gen_ai.request.model"]).toBe("gpt-4o-mini");
    expect(exported?.attributes["gen_ai.usage.output_tokens"]).toBe(7);
    expect(Object.keys(exported?.attributes ?? {}).filter((key) => key.startsWith("llm."))).toEqual([]);
    expect(exported?.attributes["openinference.span.kind"]).toBe("LLM");
    await provider.shutdown();
  });
});
