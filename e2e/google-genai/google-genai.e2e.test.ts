import { join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode } from "@llmops-internal/test-support";
import { getExperimentIdByName, getTrace, listTraces, mlflowSpanAttributes, searchTraces, startMlflow } from "../harness/mlflow";
import type { MlflowServer, MlflowTrace } from "../harness/mlflow";
import { readPhoenixSpans, startPhoenix } from "../harness/phoenix";
import type { PhoenixServer, PhoenixSpan } from "../harness/phoenix";

/**
 * `google_genai` against a real Arize Phoenix and a real MLflow: the real @google/genai client (2.x, the newest major
 * Node 20 may run) talking to the Gemini stand-in, traced by @llmops/platform-arize and @llmops/platform-mlflow, read
 * back through each server's REST API. A streamed call carries its token counts, read from its last chunk.
 */
interface GenAIAppResult {
  active: boolean;
  instrumentations: Array<{ key: string; status: string; patchedModule: boolean }>;
  answer: string;
  streamed: string;
  calls: Array<{ name: string; args: Record<string, unknown> }>;
  chatAnswer: string;
  shutdown: { ok: boolean; timedOut: boolean };
}

async function runGenAIApp(platform: "arize" | "mlflow", config: Record<string, unknown>): Promise<GenAIAppResult> {
  const env = cleanEnvironment({ LLMOPS_E2E_PLATFORM: platform, LLMOPS_E2E_CONFIG: JSON.stringify(config) });
  const { code, stdout, stderr } = await runNode([join(__dirname, "..", "apps", "genai-app.mjs")], { cwd: join(__dirname, ".."), env });
  const result = code === 0 ? lastJsonLine<GenAIAppResult>(stdout) : undefined;
  if (result === undefined) throw new Error(`genai app failed (${code === 0 ? "no JSON result" : `exit ${code}`})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return result;
}

/** Attributes as dotted keys, whether the server returned them flat (`a.0.b`) or nested (`{ a: [{ b }] }`). */
function flat(value: unknown, prefix = "", into: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) flat(inner, prefix === "" ? key : `${prefix}.${key}`, into);
  } else into[prefix] = value;
  return into;
}

const expectRan = (app: GenAIAppResult): void => {
  expect(app).toEqual(expect.objectContaining({ active: true, shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
  expect(app.instrumentations).toEqual(expect.arrayContaining([{ key: "google_genai", status: "instrumented", patchedModule: true }]));
  expect(app.calls).toEqual([{ name: "get_weather", args: { city: "Rome" } }]);
};

describe("google_genai → real Phoenix", () => {
  let phoenix: PhoenixServer;
  let app: GenAIAppResult;
  let spans: PhoenixSpan[];
  const project = `llmops-e2e-genai-${process.pid}`;
  beforeAll(async () => {
    phoenix = await startPhoenix();
    app = await runGenAIApp("arize", { service: { name: "e2e-genai" }, arize: { endpoint: phoenix.url, project_name: project }, instrumentation: { google_genai: true } });
    spans = await readPhoenixSpans(phoenix.url, project, { minCount: 4, timeoutMs: 30_000 });
  }, 600_000);
  afterAll(async () => {
    await phoenix?.stop();
  });

  it("the app ran with google_genai instrumented", () => expectRan(app));

  it("has one LLM span per call, with model, messages and token counts; the stream's too", () => {
    expect(spans.map((span) => span.span_kind)).toEqual(["LLM", "LLM", "LLM", "LLM"]);
    for (const span of spans) {
      expect(span.attributes["llm.model_name"]).toBe("gemini-2.5-flash");
      expect(span.attributes["llm.provider"]).toBe("google");
      expect(span.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
      expect(span.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
      expect(span.attributes["llm.token_count.total"]).toBe(Number(span.attributes["llm.token_count.prompt"]) + Number(span.attributes["llm.token_count.completion"]));
    }
    const stream = spans.find((span) => span.name === "GoogleGenAI generateContentStream");
    expect(stream?.attributes["output.value"]).toBe(app.streamed);
    const answer = spans.find((span) => span.attributes["output.value"] === app.answer);
    expect(answer?.attributes["input.value"]).toBe("Hello Gemini");
    expect(flat(answer?.attributes)).toEqual(
      expect.objectContaining({
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "Be brief.",
        "llm.input_messages.1.message.role": "user",
        "llm.input_messages.1.message.content": "Hello Gemini",
      }),
    );
  });

  it("shows the function call as the output message's tool call", () => {
    const call = spans.map((span) => flat(span.attributes)).find((attributes) => attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"] === "get_weather");
    expect(call).toEqual(
      expect.objectContaining({
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Rome"}',
      }),
    );
  });
});

describe("google_genai → real MLflow", () => {
  let mlflow: MlflowServer;
  let app: GenAIAppResult;
  let traces: MlflowTrace[];
  const experimentName = `llmops-e2e-genai-${process.pid}`;
  beforeAll(async () => {
    mlflow = await startMlflow();
    app = await runGenAIApp("mlflow", { service: { name: "e2e-genai" }, mlflow: { tracking_uri: mlflow.url, experiment_name: experimentName }, instrumentation: { google_genai: true } });
    const experimentId = (await getExperimentIdByName(mlflow.url, experimentName)) ?? "";
    await searchTraces(mlflow.url, experimentId, { minCount: 4, timeoutMs: 60_000 });
    const infos = await listTraces(mlflow.url, experimentId);
    traces = await Promise.all(infos.map((info) => getTrace(mlflow.url, info.trace_id)));
  }, 600_000);
  afterAll(async () => {
    await mlflow?.stop();
  });

  it("the app ran with google_genai instrumented", () => expectRan(app));

  it("has one trace per call, an LLM span with the trace's token usage, the stream's included", () => {
    expect(traces).toHaveLength(4);
    for (const trace of traces) {
      expect(trace.spans).toHaveLength(1);
      const attributes = mlflowSpanAttributes(trace.spans[0] as MlflowTrace["spans"][number]);
      expect(attributes["mlflow.spanType"]).toBe("LLM");
      const usage = JSON.parse(trace.trace_info.trace_metadata?.["mlflow.trace.tokenUsage"] ?? "null") as { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
      expect(usage?.input_tokens).toBeGreaterThan(0);
      expect(usage?.output_tokens).toBeGreaterThan(0);
      expect(usage?.total_tokens).toBe((usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0));
    }
    const stream = traces.find((trace) => trace.spans[0]?.name === "GoogleGenAI generateContentStream");
    expect(stream).toBeDefined();
  });
});
