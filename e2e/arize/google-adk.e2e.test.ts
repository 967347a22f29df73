import { readPhoenixSpans, startPhoenix } from "../harness/phoenix";
import type { PhoenixServer, PhoenixSpan } from "../harness/phoenix";
import { runAdkApp } from "../harness/run-app";
import type { AdkAppResult } from "../harness/run-app";

/**
 * Google ADK → real Arize Phoenix: the seed's config file (endpoints aside) turns `google_adk` on; the real
 * @google/adk runs an agent with a function tool and a sub-agent, then a streamed agent, against the Gemini stand-in,
 * and Phoenix's REST API shows the agent → LLM → tool tree with inputs, outputs and token counts.
 */
let phoenix: PhoenixServer;
let app: AdkAppResult & { stderr: string; config: string };
let spans: PhoenixSpan[];

/** Keys of the seed file no platform registers; each is taken out of the copy the app reads (none: the file loads unchanged). */
const UNREGISTERED_KEYS: string[] = [];

beforeAll(async () => {
  phoenix = await startPhoenix();
  // The file's api_key and space_id name these variables; Phoenix (no auth) ignores the headers they make.
  app = await runAdkApp("arize", { arize: `${phoenix.url}/v1/traces` }, UNREGISTERED_KEYS, { ARIZE_API_KEY: "e2e-key", ARIZE_SPACE_ID: "e2e-space" });
  // 8 spans for the agent with its sub-agent, 5 for the streamed agent.
  if (!app.active) throw new Error(`the ADK app ran without tracing: ${JSON.stringify(app.issues)}\n${app.stderr}`);
  spans = await readPhoenixSpans(phoenix.url, "my-project", { minCount: 13, timeoutMs: 30_000 });
}, 600_000);

afterAll(async () => {
  await phoenix?.stop();
});

const byId = (id: string | null): PhoenixSpan | undefined => spans.find((span) => span.context.span_id === id);
const parentOf = (span: PhoenixSpan): PhoenixSpan | undefined => byId(span.parent_id);
const inTrace = (traceId: string | undefined): PhoenixSpan[] => spans.filter((span) => span.context.trace_id === traceId);
/** The span that runs a model call: ADK's call_llm itself, or the client's LLM span under it. */
const modelCallOf = (llm: PhoenixSpan): PhoenixSpan | undefined => (llm.name === "call_llm" ? llm : parentOf(llm));

describe("Google ADK → real Phoenix, the seed's config file", () => {
  it("ran with tracing active, google_adk enabled, and a clean shutdown", () => {
    expect(app.config).toContain("google_adk: true");
    expect(app).toEqual(expect.objectContaining({ active: true, issues: [], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
    expect(app.instrumentations).toEqual(expect.arrayContaining([{ key: "google_adk", status: "enabled", patchedModule: false }]));
  });

  it("keeps ADK's tree: invocation CHAIN → AGENT → model call → TOOL, and the sub-agent under the transfer", () => {
    const root = spans.find((span) => span.name === "invoke_agent Concierge");
    expect(root?.span_kind).toBe("AGENT");
    expect(parentOf(root as PhoenixSpan)).toEqual(expect.objectContaining({ name: "invocation", span_kind: "CHAIN", parent_id: null }));
    const trace = inTrace(root?.context.trace_id);
    const sub = trace.find((span) => span.name === "invoke_agent Weather");
    expect(sub?.span_kind).toBe("AGENT");
    expect(parentOf(sub as PhoenixSpan)).toEqual(expect.objectContaining({ name: "call_llm" }));
    expect(parentOf(parentOf(sub as PhoenixSpan) as PhoenixSpan)).toBe(root);
    const tools = trace.filter((span) => span.span_kind === "TOOL");
    expect(tools.map((tool) => tool.name).sort()).toEqual(["execute_tool get_weather", "execute_tool transfer_to_agent"]);
    for (const tool of tools) expect(parentOf(tool)?.name).toBe("call_llm");
    const weatherTool = tools.find((tool) => tool.name === "execute_tool get_weather");
    expect(weatherTool?.attributes).toEqual(expect.objectContaining({ "tool.name": "get_weather", "output.value": expect.stringContaining("sunny") }));
  });

  it("has one LLM span per model call, each with model, input, output and token counts, streams included", () => {
    const llm = spans.filter((span) => span.span_kind === "LLM");
    expect(llm).toHaveLength(app.requests);
    for (const span of llm) {
      expect(modelCallOf(span)?.name).toBe("call_llm");
      expect(span.attributes["llm.model_name"]).toContain("gemini-2.5-flash");
      expect(span.attributes["input.value"]).toEqual(expect.any(String));
      expect(span.attributes["output.value"]).toEqual(expect.any(String));
      expect(span.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
      expect(span.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
      expect(span.attributes["llm.token_count.total"]).toBeGreaterThan(0);
    }
    const streamed = spans.find((span) => span.name === "invoke_agent Weather" && parentOf(span)?.name === "invocation");
    const streamedLlm = inTrace(streamed?.context.trace_id).filter((span) => span.span_kind === "LLM");
    expect(streamedLlm).toHaveLength(2);
    // The streamed answers as ADK aggregated them: the function call, then the text (JSON-escaped in output.value).
    expect(streamedLlm.map((span) => String(span.attributes["output.value"]))).toEqual(expect.arrayContaining([expect.stringContaining("get_weather"), expect.stringContaining("The tool returned")]));
  });

  it("records each model call once: call_llm is the LLM span, or a CHAIN over exactly one client LLM span", () => {
    const calls = spans.filter((span) => span.name === "call_llm");
    expect(calls).toHaveLength(app.requests);
    for (const call of calls) {
      const llmChildren = spans.filter((span) => span.parent_id === call.context.span_id && span.span_kind === "LLM");
      expect({ kind: call.span_kind, llmChildren: llmChildren.length }).toEqual(call.span_kind === "LLM" ? { kind: "LLM", llmChildren: 0 } : { kind: "CHAIN", llmChildren: 1 });
    }
  });

  it("gives the agents the user's question and the final answer, and the ADK session as session.id", () => {
    const root = spans.find((span) => span.name === "invoke_agent Concierge");
    expect(root?.attributes).toEqual(expect.objectContaining({ "input.value": "What is the forecast for Paris? Ask Weather", "output.value": app.plain.answer, "session.id": app.plain.sessionId }));
  });
});
