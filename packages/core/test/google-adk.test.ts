import { context, trace } from "@opentelemetry/api";
import type { Span } from "@opentelemetry/api";
import { getPlatform, googleAdkInstrumentor, registerPlatform, withSession } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { memoryPlatform } from "./helpers";

/**
 * The `google_adk` entry: its span processor is placed in the provider by the pipeline, from the registry, and turns
 * spans shaped as Google ADK makes them (tracer `gcp.vertex.agent`, the attributes of its telemetry module) into
 * OpenInference. The real ADK drives the same processor in test/integration/registry.test.ts and e2e/.
 */
describe("google_adk", () => {
  let logs: CapturedLogs;
  const withAdk = createTempApp({ manifest: { name: "adk-app" }, dependencies: { "@google/adk": { manifest: { main: "index.js" }, files: { "index.js": "" } } } });
  const withoutAdk = createTempApp({ manifest: { name: "no-adk-app" } });
  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });

  const request = JSON.stringify({
    model: "gemini-2.5-flash",
    contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
    config: { systemInstruction: "Be brief.", temperature: 0.2, labels: { adk_agent_name: "Root" }, tools: [{ functionDeclarations: [{ name: "get_weather" }] }] },
  });
  const response = JSON.stringify({
    content: { role: "model", parts: [{ functionCall: { id: "c1", name: "get_weather", args: { city: "Paris" } } }] },
    usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 3, totalTokenCount: 15, cachedContentTokenCount: 4 },
  });

  /** One ADK run as its telemetry module records it: invocation → invoke_agent → call_llm → execute_tool, and a span of the app. */
  function adkRun(): void {
    const adk = trace.getTracer("gcp.vertex.agent", "2.0.0");
    const under = (parent: Span) => trace.setSpan(context.active(), parent);
    const invocation = adk.startSpan("invocation");
    const agent = adk.startSpan("invoke_agent Root", {}, under(invocation));
    agent.setAttributes({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Root", "gen_ai.agent.description": "d", "gen_ai.conversation.id": "adk-session" });
    const llm = adk.startSpan("call_llm", {}, under(agent));
    llm.setAttributes({ "gen_ai.system": "gcp.vertex.agent", "gen_ai.request.model": "gemini-2.5-flash", "gcp.vertex.agent.session_id": "adk-session", "gcp.vertex.agent.llm_request": request });
    llm.setAttribute("gcp.vertex.agent.llm_response", response);
    llm.setAttributes({ "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 3 });
    const tool = adk.startSpan("execute_tool get_weather", {}, under(llm));
    tool.setAttributes({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "get_weather",
      "gen_ai.tool.description": "The weather.",
      "gcp.vertex.agent.tool_call_args": '{"city":"Paris"}',
      "gen_ai.tool.call.id": "c1",
      "gcp.vertex.agent.tool_response": '{"forecast":"sunny"}',
    });
    tool.end();
    llm.end();
    agent.end();
    invocation.end();
    trace
      .getTracer("app")
      .startSpan("app span", { attributes: { "gen_ai.request.model": "m" } })
      .end();
  }

  async function start(appRoot: string, instrumentation: Record<string, boolean> = {}) {
    const { platform, exporter } = memoryPlatform({ instrumentors: [googleAdkInstrumentor] });
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, validationMode: "strict", config: { service: { name: "svc" }, instrumentation } });
    return { tracing, exporter };
  }

  it("converts ADK's spans in place when @google/adk is installed, and leaves other spans alone", async () => {
    const { tracing, exporter } = await start(withAdk);
    expect(tracing.instrumentations).toEqual([expect.objectContaining({ key: "google_adk", status: "enabled", patchedModule: false })]);
    adkRun();

    await tracing.forceFlush();
    const spans = new Map(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(spans.get("invocation")?.["openinference.span.kind"]).toBe("CHAIN");
    expect(spans.get("invoke_agent Root")).toEqual(
      expect.objectContaining({ "openinference.span.kind": "AGENT", "agent.name": "Root", "input.value": "Weather in Paris?", "session.id": "adk-session" }),
    );
    expect(spans.get("call_llm")).toEqual(
      expect.objectContaining({
        "openinference.span.kind": "LLM",
        "llm.model_name": "gemini-2.5-flash",
        "llm.provider": "google",
        "llm.invocation_parameters": '{"temperature":0.2}',
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "Be brief.",
        "llm.input_messages.1.message.content": "Weather in Paris?",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Paris"}',
        "llm.tools.0.tool.json_schema": '{"name":"get_weather"}',
        "llm.token_count.prompt": 12,
        "llm.token_count.completion": 3,
        "llm.token_count.total": 15,
        "llm.token_count.prompt_details.cache_read": 4,
      }),
    );
    expect(Object.keys(spans.get("call_llm") ?? {}).filter((key) => key.startsWith("gen_ai.") || key === "gcp.vertex.agent.llm_request")).toEqual([]);
    expect(spans.get("execute_tool get_weather")).toEqual(
      expect.objectContaining({ "openinference.span.kind": "TOOL", "tool.name": "get_weather", "input.value": '{"city":"Paris"}', "output.value": '{"forecast":"sunny"}', "tool_call.id": "c1" }),
    );
    expect(spans.get("app span")).toEqual({ "gen_ai.request.model": "m" });
  });

  it("keeps the session of withSession() over ADK's own", async () => {
    const { tracing, exporter } = await start(withAdk);
    withSession("mine", () => adkRun());
    await tracing.forceFlush();
    const agent = exporter.getFinishedSpans().find((span) => span.name === "invoke_agent Root");
    expect(agent?.attributes["session.id"]).toBe("mine");
  });

  it("turned off, or without @google/adk, places no processor: the same spans leave as they were made", async () => {
    for (const [appRoot, instrumentation, status] of [
      [withAdk, { google_adk: false }, "disabled"],
      [withoutAdk, {}, "not-installed"],
    ] as const) {
      resetProcessState();
      const { tracing, exporter } = await start(appRoot, instrumentation);
      expect(tracing.instrumentations).toEqual([expect.objectContaining({ key: "google_adk", status })]);
      adkRun();
      await tracing.forceFlush();
      expect(exporter.getFinishedSpans().map((span) => String(span.attributes["openinference.span.kind"]))).toEqual(["undefined", "undefined", "undefined", "undefined", "undefined"]);
      await tracing.shutdown();
    }
  });

  it("asked for with true but not installed: warns with the install line, and converts what arrives anyway", async () => {
    const { tracing, exporter } = await start(withoutAdk, { google_adk: true });
    expect(tracing.instrumentations).toEqual([expect.objectContaining({ key: "google_adk", status: "not-installed" })]);
    expect(logs.messages.some((message) => message.includes("instrumentation.google_adk needs @google/adk") && message.includes("Install with"))).toBe(true);
    adkRun();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().find((span) => span.name === "call_llm")?.attributes["openinference.span.kind"]).toBe("LLM");
  });
});
