import { join } from "node:path";
import { kindOf, runApp, summaryOf } from "./support/instrumentor-apps";
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
  vercel: "this file (a span processor, not an instrumentor: the real ai and @ai-sdk/openai against the OpenAI stand-in)",
};

describe("instrumentor registries, with the real client packages", () => {
  it("lists a real-client test for every entry of every platform's registry", () => {
    for (const name of ["platform-arize", "platform-mlflow", "platform-local"]) {
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

  it("vercel: the real AI SDK's telemetry spans come out as OpenInference spans through the platform's processor", async () => {
    const run = await runApp("vercel-app.mjs", "arize", {});
    const summary = summaryOf(run);
    // A span processor, not an instrumentor: nothing of the `ai` module is patched, and the report does not claim it.
    expect(summary.reports).toEqual(expect.arrayContaining([{ key: "vercel", status: "enabled", patchedModule: false }]));
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
