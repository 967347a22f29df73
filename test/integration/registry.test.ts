import { join } from "node:path";
import { kindOf, runApp, summaryOf } from "./support/instrumentor-apps";
import { startHttpReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan } from "@llmops-internal/test-support";
import { nodeBinaries } from "./support/node-binaries";
import { repo } from "./support/pack";

/**
 * The instrumentor registries against the real client packages: each entry of each platform's registry is exercised
 * with its real client (installed from npm in test/fixtures/instrumentor-apps, or in e2e/ for the provider clients),
 * talking to a local stand-in where a provider is needed, and the report says `instrumented` only when a patch was
 * seen. The apps run on the built packages, in child processes, and export to a local OTLP receiver (for MLflow,
 * behind a stand-in of the tracking server's experiments API).
 */

/** Where each registry key is driven by its real client package: a key added to a registry without one fails here. */
const REAL_CLIENT_TESTS: Readonly<Record<string, string>> = {
  openai: "e2e/arize/phoenix.e2e.test.ts and e2e/mlflow/mlflow.e2e.test.ts (openai against the OpenAI stand-in); test/integration/examples.test.ts",
  anthropic: "e2e/arize/phoenix.e2e.test.ts and e2e/mlflow/mlflow.e2e.test.ts (@anthropic-ai/sdk against the Anthropic stand-in)",
  langchain: "e2e/arize/phoenix.e2e.test.ts and e2e/mlflow/mlflow.e2e.test.ts (@langchain/openai against the OpenAI stand-in)",
  bedrock: "this file, arize and mlflow (@aws-sdk/client-bedrock-runtime against the Bedrock stand-in)",
  bedrock_agent_runtime: "this file (@aws-sdk/client-bedrock-agent-runtime against the Bedrock stand-in's event stream)",
  mcp: "this file, arize and mlflow (a @modelcontextprotocol/sdk client and server over Streamable HTTP)",
  google_genai: "test/integration/google-genai.test.ts, arize and mlflow (@google/genai 1.x, 2.x and 3.x against the Gemini stand-in)",
  vercel:
    "test/integration/vercel-ai.test.ts (llmops's own integration: the real ai 6 and 7 with @ai-sdk/openai against the OpenAI stand-in); this file (ai 5, whose own spans @arizeai/openinference-vercel converts on arize)",
  google_adk: "this file (a span processor converting ADK's own spans: the real @google/adk against the Gemini stand-in)",
};

describe("instrumentor registries, with the real client packages", () => {
  it("lists a real-client test for every entry of every platform's registry", () => {
    for (const name of ["platform-arize", "platform-mlflow", "platform-local", "platform-otlp"]) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { platform } = require(join(repo, "packages", name, "dist", "index.cjs")) as { platform: { instrumentors: Array<{ key: string }> } };
      const untested = platform.instrumentors.map((spec) => spec.key).filter((key) => REAL_CLIENT_TESTS[key] === undefined);
      expect({ platform: name, untested }).toEqual({ platform: name, untested: [] });
    }
  });

  it.each(["arize", "mlflow"] as const)(
    "mcp on %s: the SDK's transports are patched and the trace context crosses from client to server",
    async (platform) => {
      const run = await runApp("mcp-app.cjs", platform, {});
      const summary = summaryOf(run);
      // Waiting at instrument() (nothing of the SDK loaded yet), instrumented once the app required the transports.
      expect(summary.reportsBefore).toEqual(expect.arrayContaining([{ key: "mcp", status: "waiting" }]));
      expect(summary.reports).toEqual(expect.arrayContaining([{ key: "mcp", status: "instrumented", patchedModule: true }]));
      expect(summary.answer).toBe("Sunny in Paris");
      const agent = run.spans.find((span) => kindOf(span) === "AGENT");
      const tool = run.spans.find((span) => kindOf(span) === "TOOL");
      expect(agent).toBeDefined();
      // The server's TOOL span is a child of the client's AGENT span: the context went through the MCP request.
      expect(tool).toEqual(expect.objectContaining({ traceId: agent?.traceId, parentSpanId: agent?.spanId }));
      expect(summary.seen).toEqual([{ traceparent: expect.stringContaining(agent?.traceId ?? "no agent span"), activeTraceId: agent?.traceId }]);
    },
    90_000,
  );

  it.each(nodeBinaries().map((binary) => [binary.version, binary] as const))(
    "mcp: an ES module app started with --import <platform>/register has its static imports of the transports patched (Node %s)",
    async (_version, binary) => {
      const run = await runApp("mcp-app.mjs", "arize", {}, { node: binary, nodeArgs: ["--import", "@llmops/platform-arize/register"], configFile: true });
      const summary = summaryOf(run);
      expect(summary.reports).toEqual(expect.arrayContaining([{ key: "mcp", status: "instrumented", patchedModule: true }]));
      const agent = run.spans.find((span) => kindOf(span) === "AGENT");
      const tool = run.spans.find((span) => kindOf(span) === "TOOL");
      expect(tool).toEqual(expect.objectContaining({ traceId: agent?.traceId, parentSpanId: agent?.spanId }));
    },
    90_000,
  );

  it("mcp: turned off, the same app's TOOL span starts a trace of its own (the check above can fail)", async () => {
    const run = await runApp("mcp-app.cjs", "arize", { instrumentation: { mcp: false } });
    const summary = summaryOf(run);
    expect(summary.reports).toEqual(expect.arrayContaining([{ key: "mcp", status: "disabled", patchedModule: false }]));
    const agent = run.spans.find((span) => kindOf(span) === "AGENT");
    const tool = run.spans.find((span) => kindOf(span) === "TOOL");
    expect(tool?.parentSpanId).toBeUndefined();
    expect(tool?.traceId).not.toBe(agent?.traceId);
  }, 90_000);

  it.each(["arize", "mlflow"] as const)(
    "bedrock on %s: Converse and InvokeModel through the real BedrockRuntimeClient give one LLM span each",
    async (platform) => {
      const run = await runApp("bedrock-app.mjs", platform, {});
      const summary = summaryOf(run);
      expect(summary.reports).toEqual(expect.arrayContaining([{ key: "bedrock", status: "instrumented", patchedModule: true }]));
      expect(summary.answers).toEqual(["Stand-in answer to: What is Bedrock?", "Stand-in answer to: Say hi."]);
      const llm = run.spans.filter((span) => span.scope === "@arizeai/openinference-instrumentation-bedrock");
      expect(llm.map(kindOf)).toEqual(["LLM", "LLM"]);
      expect(llm.map((span) => span.attributes["llm.model_name"])).toEqual([expect.stringContaining("claude-3-haiku"), expect.stringContaining("claude-3-haiku")]);
      expect(llm.every((span) => typeof span.attributes["llm.token_count.prompt"] === "number" || typeof span.attributes["llm.token_count.prompt"] === "bigint")).toBe(true);
    },
    90_000,
  );

  it("bedrock_agent_runtime: InvokeAgent (an event stream) and Retrieve through the real client give an AGENT and a RETRIEVER span", async () => {
    const run = await runApp("bedrock-agent-app.mjs", "arize", {});
    const summary = summaryOf(run);
    expect(summary.reports).toEqual(expect.arrayContaining([{ key: "bedrock_agent_runtime", status: "instrumented", patchedModule: true }]));
    expect(summary.answer).toBe("Stand-in agent answer to: Plan a trip to Paris.");
    expect(summary.passages).toEqual(["Stand-in passage 1 about Paris museums", "Stand-in passage 2 about Paris museums"]);
    const spans = run.spans.filter((span) => span.scope === "@arizeai/openinference-instrumentation-bedrock-agent");
    expect(spans.map((span) => ({ name: span.name, kind: kindOf(span) }))).toEqual([
      { name: "bedrock.invoke_agent", kind: "AGENT" },
      { name: "bedrock.retrieve", kind: "RETRIEVER" },
    ]);
    // The answer was read from the event stream by the instrumentor, and the passages from the Retrieve answer.
    expect(spans[0]?.attributes["output.value"]).toBe("Stand-in agent answer to: Plan a trip to Paris.");
    expect(spans[1]?.attributes["retrieval.documents.1.document.content"]).toBe("Stand-in passage 2 about Paris museums");
  }, 90_000);

  it("vercel: ai 5's own telemetry spans come out as OpenInference spans through the platform's processor", async () => {
    const run = await runApp("vercel-app.mjs", "arize", {});
    const summary = summaryOf(run);
    // ai 5 has no telemetry registry for llmops's integration: the report does not claim it, the processor converts.
    expect(summary.reports).toEqual(expect.arrayContaining([{ key: "vercel", status: "patched-nothing", patchedModule: false }]));
    expect(summary.paths).toEqual(["/v1/chat/completions"]);
    expect(run.spans.map((span) => ({ name: span.name, kind: kindOf(span) }))).toEqual(
      expect.arrayContaining([
        { name: "ai.generateText.doGenerate vercel-app", kind: "LLM" },
        { name: "ai.generateText vercel-app", kind: "AGENT" },
      ]),
    );
    const llm = run.spans.find((span) => kindOf(span) === "LLM");
    expect(llm?.attributes).toEqual(expect.objectContaining({ "llm.model_name": "gpt-4o-mini", "llm.token_count.prompt": 15, "llm.token_count.completion": 17 }));
    // Turned off, the same spans arrive unconverted: the kinds above come from the processor.
    const off = await runApp("vercel-app.mjs", "arize", { instrumentation: { vercel: false } });
    expect(summaryOf(off).reports).toEqual(expect.arrayContaining([{ key: "vercel", status: "disabled", patchedModule: false }]));
    expect(off.spans.length).toBeGreaterThan(0);
    expect(off.spans.map(kindOf)).toEqual(off.spans.map(() => undefined));
  }, 90_000);
});

describe("google_adk: Google ADK's own spans, converted by the registry entry's span processor", () => {
  /** Each span as `name (KIND) < parent name`, so a tree compares as a list. */
  const tree = (spans: readonly DecodedSpan[]): string[] => {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    return spans.map((span) => {
      const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
      return `${span.name} (${String(kindOf(span))}) < ${parent?.name ?? "root"}`;
    });
  };
  const numberOf = (value: unknown): number => (typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN);
  const question = "What is the forecast for Paris? Ask Weather";
  // ADK's own spans, converted, with nothing else tracing the model calls: the fixture also has @google/genai, whose
  // instrumentation would add the LLM span under call_llm (the e2e tests run the two together).
  const adkAlone = { instrumentation: { google_genai: false } };

  it.each(nodeBinaries().flatMap((binary) => (["adk-app.cjs", "adk-app.mjs"] as const).map((app) => [app, binary.version, binary] as const)))(
    "%s on Node %s: agent → LLM → tool and the sub-agent arrive as OpenInference spans with ADK's hierarchy, and ADK exports nothing itself",
    async (app, _version, binary) => {
      // ADK's setup helper would export to these; the library itself must not.
      const elsewhere = await startHttpReceiver();
      try {
        const run = await runApp(app, "arize", adkAlone, { node: binary, env: { OTEL_EXPORTER_OTLP_ENDPOINT: elsewhere.url, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${elsewhere.url}/v1/traces` } });
        const summary = summaryOf(run);
        expect(summary.reports).toEqual(expect.arrayContaining([{ key: "google_adk", status: "enabled", patchedModule: false }]));
        expect(summary.answer).toContain("forecast");
        expect(summary.paths).toHaveLength(3);
        expect(elsewhere.requests).toHaveLength(0);
        expect(tree(run.spans).sort()).toEqual(
          [
            "invocation (CHAIN) < root",
            "invoke_agent Concierge (AGENT) < invocation",
            "call_llm (LLM) < invoke_agent Concierge",
            "execute_tool transfer_to_agent (TOOL) < call_llm",
            "invoke_agent Weather (AGENT) < call_llm",
            "call_llm (LLM) < invoke_agent Weather",
            "call_llm (LLM) < invoke_agent Weather",
            "execute_tool get_weather (TOOL) < call_llm",
          ].sort(),
        );
        const byName = (name: string): DecodedSpan[] => run.spans.filter((span) => span.name === name);
        const [root] = byName("invoke_agent Concierge");
        expect(root?.attributes).toEqual(expect.objectContaining({ "agent.name": "Concierge", "input.value": question, "output.value": summary.answer, "session.id": summary.sessionId }));
        for (const llm of byName("call_llm")) {
          expect(llm.attributes).toEqual(expect.objectContaining({ "llm.model_name": "gemini-2.5-flash", "llm.provider": "google", "input.mime_type": "application/json" }));
          expect(numberOf(llm.attributes["llm.token_count.prompt"])).toBeGreaterThan(0);
          expect(numberOf(llm.attributes["llm.token_count.completion"])).toBeGreaterThan(0);
          // Converted, ADK's GenAI keys are gone: no GenAI converter further down reads the span a second time.
          expect(Object.keys(llm.attributes).filter((key) => key.startsWith("gen_ai."))).toEqual([]);
          expect(numberOf(llm.attributes["llm.token_count.total"])).toBe(numberOf(llm.attributes["llm.token_count.prompt"]) + numberOf(llm.attributes["llm.token_count.completion"]));
        }
        const first = byName("call_llm").find((span) => span.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"] === "transfer_to_agent");
        expect(first?.attributes).toEqual(
          expect.objectContaining({
            "llm.input_messages.0.message.role": "system",
            "llm.input_messages.1.message.role": "user",
            "llm.input_messages.1.message.content": question,
            "llm.output_messages.0.message.role": "assistant",
            "llm.tools.0.tool.json_schema": expect.stringContaining("transfer_to_agent"),
          }),
        );
        const [tool] = byName("execute_tool get_weather");
        expect(tool?.attributes).toEqual(expect.objectContaining({ "tool.name": "get_weather", "input.value": expect.stringContaining("city"), "output.value": expect.stringContaining("sunny") }));
      } finally {
        await elsewhere.close();
      }
    },
    120_000,
  );

  it("on mlflow: the same spans with their kinds and token counts", async () => {
    const run = await runApp("adk-app.cjs", "mlflow", adkAlone);
    summaryOf(run);
    expect(run.spans.map(kindOf).sort()).toEqual(["AGENT", "AGENT", "CHAIN", "LLM", "LLM", "LLM", "TOOL", "TOOL"]);
    expect(run.spans.filter((span) => kindOf(span) === "LLM").every((span) => numberOf(span.attributes["llm.token_count.total"]) > 0)).toBe(true);
  }, 120_000);

  it("streamed (SSE): each model call keeps its answer and the token counts of the stream's last chunk", async () => {
    const run = await runApp("adk-app.mjs", "arize", adkAlone, { env: { LLMOPS_APP_STREAM: "1" } });
    const summary = summaryOf(run);
    expect(summary.paths).toEqual(["/v1beta/models/gemini-2.5-flash:streamGenerateContent", "/v1beta/models/gemini-2.5-flash:streamGenerateContent"]);
    const llm = run.spans.filter((span) => kindOf(span) === "LLM");
    expect(llm).toHaveLength(2);
    // ADK's last record of a stream is a usage report without content: the answer comes from the aggregated response.
    expect(llm.map((span) => span.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"] ?? span.attributes["llm.output_messages.0.message.content"])).toEqual([
      "get_weather",
      summary.answer,
    ]);
    for (const span of llm) expect(numberOf(span.attributes["llm.token_count.completion"])).toBeGreaterThan(0);
  }, 120_000);

  it("with a client instrumentation's LLM span under call_llm, that span is the one LLM span of the call and call_llm a CHAIN", async () => {
    const run = await runApp("adk-app.mjs", "arize", adkAlone, { env: { LLMOPS_APP_CLIENT_LLM: "1" } });
    const summary = summaryOf(run);
    const llm = run.spans.filter((span) => kindOf(span) === "LLM");
    expect(llm.map((span) => span.name)).toEqual(["generate_content", "generate_content", "generate_content"]);
    const calls = run.spans.filter((span) => span.name === "call_llm");
    expect(calls.map(kindOf)).toEqual(["CHAIN", "CHAIN", "CHAIN"]);
    // Tokens are counted once, on the client's span; the CHAIN keeps the user's words and the answer.
    for (const call of calls) expect(call.attributes["llm.token_count.prompt"]).toBeUndefined();
    for (const span of llm) expect(calls.map((call) => call.spanId)).toContain(span.parentSpanId);
    expect(calls.find((call) => call.attributes["output.value"] === summary.answer)).toBeDefined();
  }, 120_000);

  it("with ADK's content capture off (ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS=false): kinds and token counts, no content", async () => {
    const run = await runApp("adk-app.cjs", "arize", adkAlone, { env: { ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS: "false" } });
    summaryOf(run);
    const llm = run.spans.filter((span) => kindOf(span) === "LLM");
    expect(llm).toHaveLength(3);
    for (const span of llm) {
      expect(numberOf(span.attributes["llm.token_count.prompt"])).toBeGreaterThan(0);
      expect(span.attributes["input.value"]).toBeUndefined();
      expect(span.attributes["llm.output_messages.0.message.role"]).toBeUndefined();
    }
    for (const tool of run.spans.filter((span) => kindOf(span) === "TOOL")) expect(tool.attributes["input.value"]).toBeUndefined();
  }, 120_000);

  it("turned off, the same spans arrive as ADK made them (the kinds above come from the processor)", async () => {
    // The Vercel AI SDK processor (installed in this fixture) reads any span with gen_ai.* keys: off too, to see ADK's own.
    const run = await runApp("adk-app.cjs", "arize", { instrumentation: { google_adk: false, google_genai: false, vercel: false } });
    expect(summaryOf(run).reports).toEqual(expect.arrayContaining([{ key: "google_adk", status: "disabled", patchedModule: false }]));
    expect(run.spans).toHaveLength(8);
    expect(run.spans.map(kindOf)).toEqual(run.spans.map(() => undefined));
  }, 120_000);
});
