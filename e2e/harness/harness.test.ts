/**
 * Proves the e2e harness: each real server starts, takes ONE span sent over OTLP/HTTP protobuf by the real
 * OpenTelemetry exporter, and hands it back through its own REST API with what was sent.
 *
 * Cold (no cached venv) the first beforeAll installs the server from PyPI: minutes, hence the long hook timeouts.
 * Warm: about 20 s per server start plus a few seconds of test.
 */
import { randomUUID } from "node:crypto";
import { createExperiment, getTrace, hexId, mlflowSpanAttributes, mlflowTraceId, searchTraces, startMlflow, type MlflowServer } from "./mlflow";
import { sendSpans } from "./otlp";
import { readPhoenixSpans, startPhoenix, type PhoenixServer } from "./phoenix";

/** A cold install of one venv (a few minutes here) plus a server start, with room to spare. */
const SETUP_TIMEOUT_MS = 25 * 60_000;

/** One LLM call as OpenInference describes it. */
const LLM_ATTRIBUTES = {
  "openinference.span.kind": "LLM",
  "llm.model_name": "gpt-4o-mini",
  "llm.provider": "openai",
  "input.value": "What is 2 + 2?",
  "input.mime_type": "text/plain",
  "output.value": "2 + 2 = 4",
  "output.mime_type": "text/plain",
  "llm.token_count.prompt": 12,
  "llm.token_count.completion": 7,
  "llm.token_count.total": 19,
};

function withLogs<T>(server: { logs(): string } | undefined, label: string, test: () => Promise<T>): Promise<T> {
  return test().catch((error: unknown) => {
    const logs = server?.logs() ?? "";
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- last 4000 characters of the ${label} log ---\n${logs.slice(-4_000)}`);
  });
}

describe("Phoenix (real `phoenix serve`)", () => {
  let phoenix: PhoenixServer | undefined;

  beforeAll(async () => {
    phoenix = await startPhoenix();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await phoenix?.stop();
  }, 60_000);

  test("serves on a 127.0.0.1 port with OTLP/HTTP at /v1/traces and a separate gRPC port", () => {
    expect(phoenix!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(phoenix!.otlpHttpEndpoint).toBe(`${phoenix!.url}/v1/traces`);
    expect(phoenix!.grpcPort).toEqual(expect.any(Number));
    expect(phoenix!.grpcPort).not.toBe(Number(new URL(phoenix!.url).port));
  });

  test("a span sent over OTLP/HTTP protobuf comes back from GET /v1/projects/{project}/spans in the project its resource names", () =>
    withLogs(phoenix, "Phoenix", async () => {
      const project = `e2e-harness-${randomUUID().slice(0, 8)}`;
      const [sent] = await sendSpans({
        endpoint: phoenix!.otlpHttpEndpoint,
        resource: { "service.name": "llmops-e2e-harness", "openinference.project.name": project },
        spans: [{ name: "ChatCompletion", kind: "CLIENT", attributes: LLM_ATTRIBUTES }],
      });

      const spans = await readPhoenixSpans(phoenix!.url, project, { minCount: 1, timeoutMs: 30_000 });

      expect(spans).toHaveLength(1);
      const span = spans[0]!;
      expect(span.name).toBe("ChatCompletion");
      expect(span.span_kind).toBe("LLM");
      expect(span.context).toEqual({ trace_id: sent!.traceId, span_id: sent!.spanId });
      expect(span.parent_id).toBeNull();
      expect(span.attributes).toMatchObject({
        "llm.model_name": "gpt-4o-mini",
        "input.value": "What is 2 + 2?",
        "output.value": "2 + 2 = 4",
        "llm.token_count.prompt": 12,
        "llm.token_count.completion": 7,
        "llm.token_count.total": 19,
      });
      // Nothing went to the default project.
      await expect(readPhoenixSpans(phoenix!.url, "default", { minCount: 1, timeoutMs: 1 })).rejects.toThrow(/does not exist|0 span/);
    }));
});

describe("MLflow (real `mlflow server` on SQLite)", () => {
  let mlflow: MlflowServer | undefined;

  beforeAll(async () => {
    mlflow = await startMlflow();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await mlflow?.stop();
  }, 60_000);

  test("serves on a 127.0.0.1 port with OTLP/HTTP at /v1/traces", () => {
    expect(mlflow!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mlflow!.otlpHttpEndpoint).toBe(`${mlflow!.url}/v1/traces`);
  });

  test("a span sent over OTLP/HTTP protobuf with x-mlflow-experiment-id comes back from v3 trace search and get-trace", () =>
    withLogs(mlflow, "MLflow", async () => {
      const experimentId = await createExperiment(mlflow!.url, `e2e-harness-${randomUUID().slice(0, 8)}`);
      const [sent] = await sendSpans({
        endpoint: mlflow!.otlpHttpEndpoint,
        headers: { "x-mlflow-experiment-id": experimentId },
        resource: { "service.name": "llmops-e2e-harness" },
        spans: [{ name: "ChatCompletion", kind: "CLIENT", attributes: LLM_ATTRIBUTES }],
      });

      const infos = await searchTraces(mlflow!.url, experimentId, { minCount: 1, timeoutMs: 30_000 });

      expect(infos).toHaveLength(1);
      const info = infos[0]!;
      expect(info.trace_id).toBe(mlflowTraceId(sent!.traceId));
      expect(info.trace_location.mlflow_experiment?.experiment_id).toBe(experimentId);
      expect(info.state).toBe("OK");
      expect(JSON.parse(info.trace_metadata?.["mlflow.trace.tokenUsage"] ?? "null")).toEqual({ input_tokens: 12, output_tokens: 7, total_tokens: 19 });

      const trace = await getTrace(mlflow!.url, info.trace_id);
      expect(trace.spans).toHaveLength(1);
      const span = trace.spans[0]!;
      expect(span.name).toBe("ChatCompletion");
      expect(hexId(span.trace_id)).toBe(sent!.traceId);
      expect(hexId(span.span_id)).toBe(sent!.spanId);
      expect(hexId(span.parent_span_id)).toBe("");
      const attributes = mlflowSpanAttributes(span);
      // What was sent is kept...
      expect(attributes).toMatchObject({ "llm.model_name": "gpt-4o-mini", "input.value": "What is 2 + 2?", "output.value": "2 + 2 = 4", "llm.token_count.prompt": 12 });
      // ...and translated from OpenInference into MLflow's own attributes (the reason for mlflow >= 3.6).
      expect(attributes).toMatchObject({
        "mlflow.spanType": "LLM",
        "mlflow.spanInputs": "What is 2 + 2?",
        "mlflow.spanOutputs": "2 + 2 = 4",
        "mlflow.chat.tokenUsage": { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
      });
    }));

  test("OTLP without the x-mlflow-experiment-id header is refused", async () => {
    await expect(sendSpans({ endpoint: mlflow!.otlpHttpEndpoint, spans: [{ name: "no-experiment" }] })).rejects.toThrow(/failed: .*422/);
  });
});
