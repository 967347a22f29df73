/**
 * A real MLflow tracking server (`mlflow server`, mlflow pinned in python-env.ts) on a free loopback port, with a
 * SQLite backend store and an artifact folder in a private temporary folder, plus REST helpers to read traces back.
 *
 * How MLflow (3.17.2, read from mlflow/server/otel_api.py and mlflow/tracing/utils/otlp.py) ingests OTLP:
 * - `POST <url>/v1/traces` (a FastAPI route on the tracking server itself; no separate collector port),
 *   Content-Type `application/x-protobuf` or `application/json` (anything else: 400), Content-Encoding gzip or
 *   deflate accepted. An OTel exporter pointed at `<url>/v1/traces` works as is.
 * - Header `x-mlflow-experiment-id: <experiment id>` is REQUIRED (no header: 422); the experiment must exist
 *   (create it first, see createExperiment). Optional `x-mlflow-run-id` links the traces to a run;
 *   `x-mlflow-workspace` only with workspaces enabled.
 * - All spans of one request are stored in one call (all or nothing). A trace's MLflow id is `tr-<32 hex OTel
 *   trace id>`. A root span (no parent) completes its trace. Since 3.6 the server also maps OpenInference
 *   attributes (openinference.span.kind, input.value/output.value, llm.token_count.*) to MLflow's own
 *   (mlflow.spanType, mlflow.spanInputs/Outputs, token usage) when it converts spans.
 * - Answer: 200 with an (empty) ExportTraceServiceResponse.
 *
 * REST endpoints used here (JSON over HTTP, the protobuf service in mlflow/protos/service.proto):
 * - GET  /health                                  -> "OK" (exempt from the host check)
 * - POST /api/2.0/mlflow/experiments/create       {name} -> {experiment_id}
 * - GET  /api/2.0/mlflow/experiments/get-by-name  ?experiment_name= -> {experiment: {experiment_id, ...}}
 * - POST /api/3.0/mlflow/traces/search            {locations: [{type: "MLFLOW_EXPERIMENT", mlflow_experiment:
 *        {experiment_id}}], filter?, max_results? (<= 500), order_by?, page_token?} -> {traces: TraceInfoV3[],
 *        next_page_token?}  (an empty experiment answers {})
 * - GET  /api/3.0/mlflow/traces/get               ?trace_id=tr-… -> {trace: {trace_info: TraceInfoV3, spans: OtelSpan[]}}
 *        (404 RESOURCE_DOES_NOT_EXIST until stored)
 *
 * The server's security middleware (on by default since 3.5) only accepts Host headers of localhost/127.0.0.1/
 * private ranges: calls to 127.0.0.1 pass it, so it stays on. The background job runner (huey consumers, ~7 extra
 * processes, not involved in trace ingest or search) is off unless `jobs: true`. Telemetry is off
 * (MLFLOW_DISABLE_TELEMETRY, DO_NOT_TRACK), and LLM cost is computed from the bundled model catalog
 * (MLFLOW_MODEL_CATALOG_URI="") instead of one fetched from the internet.
 */
import { join } from "node:path";
import { ensureVenv } from "./python-env";
import { LOOPBACK, cleanServerEnvironment, fetchJson, removeDirectory, retryOnPortClash, sleep, startServerProcess, temporaryDirectory, waitUntilReady } from "./server-process";
import { freePorts } from "@llmops-internal/test-support";

export interface MlflowServer {
  /** `http://127.0.0.1:<port>`: UI, REST API and OTLP/HTTP (`/v1/traces`). */
  url: string;
  /** `<url>/v1/traces`; requests need the `x-mlflow-experiment-id` header. */
  otlpHttpEndpoint: string;
  /** Milliseconds from spawning `mlflow server` to its first successful /health. */
  startupMs: number;
  /** Stops the server (process group: SIGTERM, then SIGKILL) and removes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Everything the server printed so far (the most recent 512 kB). */
  logs(): string;
}

export interface StartMlflowOptions {
  /** Run MLflow's background job executor too (default false: not needed for traces). */
  jobs?: boolean;
}

export async function startMlflow(options: StartMlflowOptions = {}): Promise<MlflowServer> {
  const venv = await ensureVenv("mlflow");
  return retryOnPortClash(async () => {
    const [port] = (await freePorts(1)) as [number];
    const folder = temporaryDirectory("mlflow");
    const env = cleanServerEnvironment({
      MLFLOW_DISABLE_TELEMETRY: "true",
      DO_NOT_TRACK: "true",
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: options.jobs === true ? "true" : "false",
      // Empty: price LLM spans (mlflow.llm.cost) from the model catalog bundled in the wheel. Otherwise the first
      // span with a model name and token counts makes the server fetch the catalog from the internet, and with
      // no internet here its retries hold that OTLP request ~7 s.
      MLFLOW_MODEL_CATALOG_URI: "",
    });
    const args = [
      "server",
      "--host",
      LOOPBACK,
      "--port",
      String(port),
      "--workers",
      "1",
      "--backend-store-uri",
      `sqlite:///${join(folder, "mlflow.db")}`,
      "--default-artifact-root",
      join(folder, "artifacts"),
    ];
    const server = startServerProcess(join(venv.bin, "mlflow"), args, { cwd: folder, env });
    const url = `http://${LOOPBACK}:${port}`;
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= server.stop().then(() => removeDirectory(folder));
      return stopped;
    };
    try {
      const startupMs = await waitUntilReady(server, `${url}/health`, `MLflow (mlflow server on ${url})`);
      return { url, otlpHttpEndpoint: `${url}/v1/traces`, startupMs, stop, logs: server.logs };
    } catch (error) {
      await stop();
      throw error;
    }
  });
}

const json = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Creates an experiment and answers its id. */
export async function createExperiment(url: string, name: string): Promise<string> {
  const { body } = await fetchJson<{ experiment_id: string }>(`${url}/api/2.0/mlflow/experiments/create`, json({ name }));
  return body.experiment_id;
}

/** The id of the experiment called `name`, or undefined. */
export async function getExperimentIdByName(url: string, name: string): Promise<string | undefined> {
  try {
    const { body } = await fetchJson<{ experiment: { experiment_id: string } }>(`${url}/api/2.0/mlflow/experiments/get-by-name?${new URLSearchParams({ experiment_name: name })}`);
    return body.experiment.experiment_id;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** TraceInfoV3 in JSON (proto field names). */
export interface MlflowTraceInfo {
  /** `tr-<hex OTel trace id>`. */
  trace_id: string;
  client_request_id?: string;
  trace_location: { type: "MLFLOW_EXPERIMENT" | string; mlflow_experiment?: { experiment_id: string } };
  request_preview?: string;
  response_preview?: string;
  request_time: string;
  execution_duration?: string;
  state: "OK" | "ERROR" | "IN_PROGRESS" | "STATE_UNSPECIFIED" | string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
  assessments?: unknown[];
}

/** An OTLP AnyValue in proto JSON (field names as in the .proto). */
export interface OtlpAnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number | string;
  double_value?: number;
  bytes_value?: string;
  array_value?: { values?: OtlpAnyValue[] };
  kvlist_value?: { values?: Array<{ key: string; value: OtlpAnyValue }> };
}

/**
 * An OTel span as MLflow's GetTrace answers it: opentelemetry.proto.trace.v1.Span in proto JSON with proto field
 * names. Ids are base64 of their bytes (see `hexId`); times are nanosecond numbers (past 2^53, so not exact in JS);
 * attributes are a key/AnyValue list (see `mlflowSpanAttributes`). Besides the attributes sent, MLflow adds its own:
 * mlflow.traceRequestId, mlflow.spanType (from openinference.span.kind), mlflow.spanInputs / mlflow.spanOutputs
 * (from input.value / output.value), mlflow.chat.tokenUsage {input_tokens, output_tokens, total_tokens} (from
 * llm.token_count.*), mlflow.llm.model (from llm.model_name) and mlflow.llm.cost when it knows the model's price.
 */
export interface MlflowSpan {
  trace_id: string;
  span_id: string;
  /** Absent (or empty) for a root span. */
  parent_span_id?: string;
  name: string;
  kind?: string;
  start_time_unix_nano: number | string;
  end_time_unix_nano: number | string;
  attributes?: Array<{ key: string; value: OtlpAnyValue }>;
  status?: { code?: string; message?: string };
  events?: unknown[];
  [field: string]: unknown;
}

export interface MlflowTrace {
  trace_info: MlflowTraceInfo;
  spans: MlflowSpan[];
}

export interface SearchTracesOptions {
  /** Wait until at least this many traces are found (default 1). */
  minCount?: number;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** MLflow search filter, e.g. `trace.status = 'OK'` or `tags.foo = 'bar'`. */
  filter?: string;
}

/** All trace infos of an experiment (every page), once. */
export async function listTraces(url: string, experimentId: string, filter?: string): Promise<MlflowTraceInfo[]> {
  const traces: MlflowTraceInfo[] = [];
  let pageToken: string | undefined;
  do {
    const { body } = await fetchJson<{ traces?: MlflowTraceInfo[]; next_page_token?: string }>(
      `${url}/api/3.0/mlflow/traces/search`,
      json({
        locations: [{ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: experimentId } }],
        max_results: 500,
        order_by: ["timestamp_ms ASC"],
        ...(filter !== undefined ? { filter } : {}),
        ...(pageToken !== undefined ? { page_token: pageToken } : {}),
      }),
    );
    traces.push(...(body.traces ?? []));
    pageToken = body.next_page_token || undefined;
  } while (pageToken !== undefined);
  return traces;
}

/**
 * Polls MLflow's v3 trace search until the experiment holds at least `minCount` traces, and returns their infos,
 * oldest first. Throws, with what it last saw, when they do not arrive in time.
 */
export async function searchTraces(url: string, experimentId: string, options: SearchTracesOptions = {}): Promise<MlflowTraceInfo[]> {
  const minCount = options.minCount ?? 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const traces = await listTraces(url, experimentId, options.filter);
    if (traces.length >= minCount) return traces;
    if (Date.now() > deadline) {
      throw new Error(`e2e: MLflow at ${url} has ${traces.length} trace(s) in experiment ${experimentId}; waited ${timeoutMs} ms for at least ${minCount}`);
    }
    await sleep(250);
  }
}

/** One trace with all its spans. */
export async function getTrace(url: string, traceId: string): Promise<MlflowTrace> {
  const { body } = await fetchJson<{ trace: MlflowTrace }>(`${url}/api/3.0/mlflow/traces/get?${new URLSearchParams({ trace_id: traceId })}`);
  return { ...body.trace, spans: body.trace.spans ?? [] };
}

/** An OTLP AnyValue as a plain JS value (kvlist -> object, array -> array, int -> number). */
export function decodeAnyValue(value: OtlpAnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== undefined) return value.double_value;
  if (value.bytes_value !== undefined) return value.bytes_value;
  if (value.array_value !== undefined) return (value.array_value.values ?? []).map(decodeAnyValue);
  if (value.kvlist_value !== undefined) return Object.fromEntries((value.kvlist_value.values ?? []).map((entry) => [entry.key, decodeAnyValue(entry.value)]));
  return undefined;
}

/** A span's attributes as an object of plain values, e.g. { "mlflow.spanType": "LLM", "mlflow.chat.tokenUsage": { input_tokens: 12, ... } }. */
export function mlflowSpanAttributes(span: MlflowSpan): Record<string, unknown> {
  return Object.fromEntries((span.attributes ?? []).map((entry) => [entry.key, decodeAnyValue(entry.value)]));
}

/** A base64 id from MLflow's span JSON as lowercase hex (as OTel and Phoenix write it); "" for none. */
export function hexId(base64: string | undefined): string {
  return base64 === undefined ? "" : Buffer.from(base64, "base64").toString("hex");
}

/** MLflow's trace id for an OTel trace id (32 hex chars). */
export function mlflowTraceId(otelTraceId: string): string {
  return `tr-${otelTraceId}`;
}
