import { getExperimentIdByName, getTrace, listTraces, mlflowSpanAttributes, searchTraces, startMlflow } from "../harness/mlflow";
import type { MlflowServer, MlflowSpan, MlflowTrace } from "../harness/mlflow";
import { runAdkApp } from "../harness/run-app";
import type { AdkAppResult } from "../harness/run-app";

/**
 * Google ADK → real MLflow: the seed's config file (tracking_uri aside) turns `google_adk` on; the real @google/adk
 * runs an agent with a function tool and a sub-agent, then a streamed agent, against the Gemini stand-in, and MLflow's
 * REST API shows the same traces as Phoenix does, with span types and token usage.
 */
let mlflow: MlflowServer;
let app: AdkAppResult & { stderr: string; config: string };
let traces: MlflowTrace[];

/** Keys of the seed file no platform registers; each is taken out of the copy the app reads (none: the file loads unchanged). */
const UNREGISTERED_KEYS: string[] = [];

const spanType = (span: MlflowSpan | undefined): unknown => (span === undefined ? undefined : mlflowSpanAttributes(span)["mlflow.spanType"]);
const rootOf = (trace: MlflowTrace): MlflowSpan | undefined => trace.spans.find((span) => !span.parent_span_id);
const tokenUsage = (trace: MlflowTrace): { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null =>
  JSON.parse(trace.trace_info.trace_metadata?.["mlflow.trace.tokenUsage"] ?? "null") as { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
/** The trace whose root invocation runs `agent` first. */
const traceOf = (agent: string): MlflowTrace | undefined => traces.find((trace) => trace.spans.some((span) => span.name === `invoke_agent ${agent}` && span.parent_span_id === rootOf(trace)?.span_id));

beforeAll(async () => {
  mlflow = await startMlflow();
  app = await runAdkApp("mlflow", { mlflow: mlflow.url }, UNREGISTERED_KEYS);
  if (!app.active) throw new Error(`the ADK app ran without tracing: ${JSON.stringify(app.issues)}\n${app.stderr}`);
  const experimentId = (await getExperimentIdByName(mlflow.url, "my-experiment")) ?? "";
  const infos = await searchTraces(mlflow.url, experimentId, { minCount: 2, timeoutMs: 60_000 });
  // MLflow writes a trace's spans as they arrive: read once the count has settled.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const settled = (await listTraces(mlflow.url, experimentId)).length === infos.length ? infos : await listTraces(mlflow.url, experimentId);
  traces = await Promise.all(settled.map((info) => getTrace(mlflow.url, info.trace_id)));
}, 600_000);

afterAll(async () => {
  await mlflow?.stop();
});

describe("Google ADK → real MLflow, the seed's config file", () => {
  it("ran with tracing active, google_adk enabled, and a clean shutdown, into the seed's experiment", () => {
    expect(app.config).toContain("google_adk: true");
    expect(app).toEqual(expect.objectContaining({ active: true, issues: [], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
    expect(app.instrumentations).toEqual(expect.arrayContaining([{ key: "google_adk", status: "enabled", patchedModule: false }]));
    expect(traces).toHaveLength(2);
  });

  it("shows the agent with its sub-agent as one trace with span types, and the tools under their model calls", () => {
    const trace = traceOf("Concierge");
    expect(trace).toBeDefined();
    const types = trace!.spans.map((span) => `${String(spanType(span))} ${span.name}`);
    expect(types).toEqual(
      expect.arrayContaining(["CHAIN invocation", "AGENT invoke_agent Concierge", "AGENT invoke_agent Weather", "TOOL execute_tool transfer_to_agent", "TOOL execute_tool get_weather"]),
    );
    expect(trace!.spans.filter((span) => spanType(span) === "LLM")).toHaveLength(3);
    const byId = new Map(trace!.spans.map((span) => [span.span_id, span]));
    for (const tool of trace!.spans.filter((span) => spanType(span) === "TOOL")) expect(byId.get(tool.parent_span_id ?? "")?.name).toBe("call_llm");
    const root = trace!.spans.find((span) => span.name === "invoke_agent Concierge");
    expect(String(mlflowSpanAttributes(root!)["mlflow.spanInputs"])).toContain("What is the forecast for Paris? Ask Weather");
  });

  it("has token usage on every LLM span and on both traces, the streamed one included", () => {
    for (const trace of traces) {
      for (const llm of trace.spans.filter((span) => spanType(span) === "LLM")) {
        expect(mlflowSpanAttributes(llm)["mlflow.chat.tokenUsage"]).toEqual(expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }));
      }
      expect(tokenUsage(trace)?.input_tokens).toBeGreaterThan(0);
      expect(tokenUsage(trace)?.output_tokens).toBeGreaterThan(0);
    }
    const streamed = traceOf("Weather");
    expect(streamed?.spans.filter((span) => spanType(span) === "LLM")).toHaveLength(2);
  });
});
