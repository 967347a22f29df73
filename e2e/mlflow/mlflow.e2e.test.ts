import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode } from "@llmops-internal/test-support";
import { getExperimentIdByName, getTrace, listTraces, mlflowSpanAttributes, searchTraces, startMlflow } from "../harness/mlflow";
import type { MlflowServer, MlflowSpan, MlflowTrace, MlflowTraceInfo } from "../harness/mlflow";
import { runAgentApp, runProvidersApp } from "../harness/run-app";
import type { AgentAppResult, ProvidersAppResult } from "../harness/run-app";
import { startRecordingProxy } from "./recording-proxy";
import type { RecordingProxy } from "./recording-proxy";

/**
 * @llmops/platform-mlflow (its built dist) against a real MLflow tracking server (mlflow from PyPI, `mlflow server`
 * on SQLite): the real openai, @anthropic-ai/sdk and LangChain clients, talking to local stand-ins of the providers,
 * produce traces that are read back through MLflow's REST API. The providers app runs unchanged in a child process
 * and finds the platform among e2e/package.json's dependencies.
 */
type AppRun = ProvidersAppResult & { stderr: string };

const experimentName = `llmops-e2e-mlflow-${process.pid}`;
let mlflow: MlflowServer;
let first: AppRun;
let experimentId: string;
let infos: MlflowTraceInfo[];
let traces: MlflowTrace[];
// The agent app (trace() agent → tool and OpenAI call, inside withSession/withUser) runs beside the first providers
// app, into an experiment of its own so that neither run's trace counts see the other's.
const agentExperimentName = `${experimentName}-agent`;
const agentIds = { session: `s-e2e-${process.pid}`, user: `u-e2e-${process.pid}` };
let agentApp: AgentAppResult & { stderr: string };

const attributesOf = (span: MlflowSpan): Record<string, unknown> => mlflowSpanAttributes(span);
const rootOf = (trace: MlflowTrace): MlflowSpan | undefined => trace.spans.find((span) => !span.parent_span_id);
const spanType = (span: MlflowSpan | undefined): unknown => (span === undefined ? undefined : attributesOf(span)["mlflow.spanType"]);
const tracesRootedAt = (name: string): MlflowTrace[] => traces.filter((trace) => rootOf(trace)?.name === name);
const tokenUsage = (trace: MlflowTrace): { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null =>
  JSON.parse(trace.trace_info.trace_metadata?.["mlflow.trace.tokenUsage"] ?? "null") as { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
/** mlflow.spanInputs / mlflow.spanOutputs hold JSON text (a JSON string for plain text inputs, or raw text). */
function parsed(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Runs recovery-app.mjs: the proxy is down at start; once the app has flushed, the proxy comes up and the app goes on. */
async function runRecoveryApp(proxy: RecordingProxy, config: Record<string, unknown>): Promise<{ result: Record<string, unknown>; stderr: string }> {
  const { code, stdout, stderr } = await runNode([join(__dirname, "recovery-app.mjs")], {
    env: cleanEnvironment({ LLMOPS_E2E_CONFIG: JSON.stringify(config) }),
    openStdin: true,
    onLine: (line, child) => {
      if (proxy.down && line === "flushed-while-down") {
        proxy.down = false;
        child.stdin?.write("up\n");
      }
    },
  });
  const result = code === 0 ? lastJsonLine<Record<string, unknown>>(stdout) : undefined;
  if (result === undefined) throw new Error(`recovery app failed (${code === 0 ? "no JSON result" : `exit ${code}`})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { result, stderr };
}

/** Reads the experiment's traces until their count stops growing (at least `minCount`), each with its spans. */
async function settledTraces(minCount: number): Promise<{ infos: MlflowTraceInfo[]; traces: MlflowTrace[] }> {
  let found = await searchTraces(mlflow.url, experimentId, { minCount, timeoutMs: 60_000 });
  for (let settled = 0; settled < 3;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await listTraces(mlflow.url, experimentId);
    settled = again.length === found.length ? settled + 1 : 0;
    found = again;
  }
  return { infos: found, traces: await Promise.all(found.map((info) => getTrace(mlflow.url, info.trace_id))) };
}

beforeAll(async () => {
  mlflow = await startMlflow();
  [first, agentApp] = await Promise.all([
    runProvidersApp("mlflow", { service: { name: "e2e-mlflow" }, mlflow: { tracking_uri: mlflow.url, experiment_name: experimentName } }),
    runAgentApp("mlflow", { service: { name: "e2e-mlflow-agent" }, mlflow: { tracking_uri: mlflow.url, experiment_name: agentExperimentName } }, agentIds),
  ]);
  experimentId = (await getExperimentIdByName(mlflow.url, experimentName)) ?? "";
  ({ infos, traces } = await settledTraces(1));
}, 600_000);

afterAll(async () => {
  await mlflow?.stop();
});

describe("platform-mlflow → real MLflow", () => {
  it("the app ran every call with tracing active and a clean shutdown", () => {
    expect(first).toEqual(expect.objectContaining({ active: true, issues: [], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
    expect(first.done).toEqual(["chat", "stream", "embeddings", "tool-call:get_weather", "anthropic", "langchain"]);
    expect(first.instrumentations).toEqual(
      expect.arrayContaining([
        { key: "openai", status: "instrumented", patchedModule: true },
        { key: "anthropic", status: "instrumented", patchedModule: true },
        { key: "langchain", status: "instrumented", patchedModule: true },
      ]),
    );
    expect(first.stderr).not.toMatch(/warn|error/i);
  });

  it("created the experiment by name, and every trace is in it", () => {
    expect(experimentId).toMatch(/^\d+$/);
    expect(infos.length).toBeGreaterThan(0);
    for (const info of infos) {
      expect(info.trace_location.mlflow_experiment?.experiment_id).toBe(experimentId);
      expect(info.state).toBe("OK");
    }
  });

  it("one trace per request: each OpenAI and Anthropic call, the LangChain chain and the tool call", () => {
    // 4 chat completions (3 direct + the one LangChain's ChatOpenAI makes, a trace of its own: OpenInference's
    // LangChain tracer does not make its spans current), 1 embeddings, 1 Anthropic, 1 chain, 1 tool.
    expect(first.requests).toEqual({ chat: 4, embeddings: 1, anthropic: 1 });
    expect(tracesRootedAt("OpenAI Chat Completions")).toHaveLength(first.requests.chat);
    expect(tracesRootedAt("OpenAI Embeddings")).toHaveLength(first.requests.embeddings);
    expect(tracesRootedAt("RunnableSequence")).toHaveLength(1);
    expect(tracesRootedAt("get_weather")).toHaveLength(1);
    const anthropic = traces.filter((trace) => String(attributesOf(rootOf(trace)!)["llm.model_name"] ?? "").startsWith("claude"));
    expect(anthropic).toHaveLength(first.requests.anthropic);
    expect(traces).toHaveLength(8);
    const spanIds = traces.flatMap((trace) => trace.spans.map((span) => span.span_id));
    expect(new Set(spanIds).size).toBe(spanIds.length);
  });

  it("chat, streaming and tool-call spans are LLM spans with inputs and outputs; token usage on the trace (not for streaming, see below)", () => {
    const chats = tracesRootedAt("OpenAI Chat Completions");
    const byQuestion = (text: string): MlflowTrace | undefined => chats.find((trace) => JSON.stringify(parsed(attributesOf(rootOf(trace)!)["mlflow.spanInputs"])).includes(text));
    for (const [question, label] of [
      ["What is OpenTelemetry?", "chat"],
      ["Count to three.", "stream"],
      ["Weather in Paris?", "tool call"],
    ] as const) {
      const trace = byQuestion(question);
      expect({ label, found: trace !== undefined }).toEqual({ label, found: true });
      const span = rootOf(trace!)!;
      const attributes = attributesOf(span);
      expect(spanType(span)).toBe("LLM");
      expect(JSON.stringify(parsed(attributes["mlflow.spanInputs"]))).toContain("messages");
      expect(attributes["mlflow.spanOutputs"]).toBeDefined();
      expect(JSON.stringify(parsed(attributes["mlflow.spanOutputs"])).length).toBeGreaterThan(2);
      expect(trace!.trace_info.request_preview).toBeTruthy();
      expect(trace!.trace_info.response_preview).toBeTruthy();
      const usage = tokenUsage(trace!);
      if (label === "stream") {
        // Known gap upstream: @arizeai/openinference-instrumentation-openai 4.2.7 skips the stream's last chunk (usage,
        // no choices), so a streamed call's span has no llm.token_count.* and MLflow no token usage. This assertion
        // flips when the instrumentor records it; then assert the counts as for the others.
        expect(usage).toBeNull();
        continue;
      }
      expect(usage?.input_tokens).toBeGreaterThan(0);
      expect(usage?.output_tokens).toBeGreaterThan(0);
      expect(usage?.total_tokens).toBe((usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0));
    }
    expect(JSON.stringify(attributesOf(rootOf(byQuestion("Weather in Paris?")!)!))).toContain("get_weather");
  });

  it("the embeddings span is an EMBEDDING span; the Anthropic span an LLM span with tokens", () => {
    const embedding = rootOf(tracesRootedAt("OpenAI Embeddings")[0]!);
    expect(spanType(embedding)).toBe("EMBEDDING");
    const anthropic = traces.find((trace) => String(attributesOf(rootOf(trace)!)["llm.model_name"] ?? "").startsWith("claude"))!;
    expect(spanType(rootOf(anthropic))).toBe("LLM");
    expect(tokenUsage(anthropic)?.input_tokens).toBeGreaterThan(0);
    expect(attributesOf(rootOf(anthropic)!)["mlflow.spanOutputs"]).toBeDefined();
  });

  it("keeps LangChain's tree in one trace: CHAIN root, its LLM child, with inputs and outputs; the tool a TOOL span", () => {
    const [chain] = tracesRootedAt("RunnableSequence");
    const root = rootOf(chain!)!;
    expect(spanType(root)).toBe("CHAIN");
    expect(JSON.stringify(parsed(attributesOf(root)["mlflow.spanInputs"]))).toContain("What is LangChain?");
    expect(attributesOf(root)["mlflow.spanOutputs"]).toBeDefined();
    expect(chain!.spans.map((span) => `${String(spanType(span))} ${span.name}`).sort()).toEqual([
      "CHAIN RunnableSequence",
      "CHAIN StrOutputParser",
      "LLM ChatOpenAI",
      expect.stringMatching(/^\w+ ChatPromptTemplate$/),
    ]);
    const chatModel = chain!.spans.find((span) => span.name === "ChatOpenAI")!;
    expect(attributesOf(chatModel)["mlflow.spanOutputs"]).toBeDefined();
    expect(tokenUsage(chain!)?.input_tokens).toBeGreaterThan(0);
    const tool = rootOf(tracesRootedAt("get_weather")[0]!)!;
    expect(spanType(tool)).toBe("TOOL");
    expect(JSON.stringify(parsed(attributesOf(tool)["mlflow.spanOutputs"]))).toContain("Sunny in Paris");
  });

  describe("your own code traced with trace(), inside withSession/withUser", () => {
    let agentTraces: MlflowTrace[];

    beforeAll(async () => {
      const id = (await getExperimentIdByName(mlflow.url, agentExperimentName)) ?? "";
      const found = await searchTraces(mlflow.url, id, { minCount: 1, timeoutMs: 60_000 });
      agentTraces = await Promise.all(found.map((info) => getTrace(mlflow.url, info.trace_id)));
    }, 120_000);

    it("the agent app ran with tracing active, its agent span recording, and a clean shutdown", () => {
      expect(agentApp).toEqual(expect.objectContaining({ active: true, issues: [], agentSpanRecording: true, chatRequests: 1, shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
      expect(agentApp.stderr).not.toMatch(/warn|error/i);
    });

    it("is ONE trace: an AGENT root span with a TOOL and an LLM child (MLflow's span types)", () => {
      expect(agentTraces).toHaveLength(1);
      const [trace] = agentTraces as [MlflowTrace];
      expect(trace.trace_info.state).toBe("OK");
      const root = rootOf(trace)!;
      expect(`${String(spanType(root))} ${root.name}`).toBe("AGENT weather_agent");
      expect(trace.spans.map((span) => `${String(spanType(span))} ${span.name}`).sort()).toEqual(["AGENT weather_agent", "LLM OpenAI Chat Completions", "TOOL get_weather"]);
      const children = trace.spans.filter((span) => span.parent_span_id === root.span_id);
      expect(children.map((span) => `${String(spanType(span))} ${span.name}`).sort()).toEqual(["LLM OpenAI Chat Completions", "TOOL get_weather"]);
      expect(JSON.stringify(parsed(attributesOf(children.find((span) => span.name === "get_weather")!)["mlflow.spanOutputs"]))).toContain("Sunny in Paris");
      expect(tokenUsage(trace)?.input_tokens).toBeGreaterThan(0);
    });

    it("the trace's session and user are those of withSession/withUser (trace metadata mlflow.trace.session / mlflow.trace.user)", () => {
      // Every trace the app left and every span in them, so that an LLM span split off into a trace of its own is seen.
      for (const trace of agentTraces) {
        expect(trace.trace_info.trace_metadata).toEqual(expect.objectContaining({ "mlflow.trace.session": agentIds.session, "mlflow.trace.user": agentIds.user }));
      }
      const spans = agentTraces.flatMap((trace) => trace.spans);
      expect(spans.map((span) => span.name).sort()).toEqual(["OpenAI Chat Completions", "get_weather", "weather_agent"]);
      // Each span, the instrumented LLM span included, carries them as attributes.
      for (const span of spans) {
        const attributes = attributesOf(span);
        expect({ span: span.name, session: attributes["session.id"], user: attributes["user.id"] }).toEqual({ span: span.name, session: agentIds.session, user: agentIds.user });
      }
    });
  });

  describe("a second process, through a recording proxy, with MLFLOW_TRACKING_TOKEN", () => {
    let proxy: RecordingProxy;
    let second: AppRun;

    beforeAll(async () => {
      proxy = await startRecordingProxy(mlflow.url);
      second = await runProvidersApp(
        "mlflow",
        { service: { name: "e2e-mlflow" }, mlflow: { tracking_uri: proxy.url, experiment_name: experimentName } },
        { LLMOPS_E2E_ONLY: "openai", MLFLOW_TRACKING_TOKEN: "e2e-bearer-token" },
      );
    }, 300_000);

    afterAll(async () => {
      await proxy?.close();
    });

    it("reuses the experiment the first created: looked up by name, not created again", async () => {
      expect(second).toEqual(expect.objectContaining({ active: true, issues: [], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
      expect(second.stderr).not.toMatch(/warn|error/i);
      const rest = proxy.requests.filter((request) => request.path.startsWith("/api/"));
      expect(rest.map((request) => `${request.method} ${request.path.split("?")[0]} ${request.status}`)).toEqual(["GET /api/2.0/mlflow/experiments/get-by-name 200"]);
      expect(await getExperimentIdByName(mlflow.url, experimentName)).toBe(experimentId);
      // The first run's 8 traces plus this run's 4 OpenAI calls (chat, stream, embeddings, tool call).
      const after = await settledTraces(traces.length + 4);
      expect(after.infos).toHaveLength(traces.length + 4);
    });

    it("the bearer token reaches the server on the REST lookup and on every OTLP export, with the experiment header", () => {
      const exports = proxy.requests.filter((request) => request.path === "/v1/traces");
      expect(exports.length).toBeGreaterThan(0);
      for (const request of [...proxy.requests.filter((entry) => entry.path.startsWith("/api/")), ...exports]) {
        expect(request.headers.authorization).toBe("Bearer e2e-bearer-token");
      }
      for (const request of exports) {
        expect(request).toEqual(expect.objectContaining({ method: "POST", status: 200 }));
        expect(request.headers["x-mlflow-experiment-id"]).toBe(experimentId);
        expect(request.headers["content-type"]).toBe("application/x-protobuf");
      }
    });
  });

  describe("bad input", () => {
    it("strict mode with the server down fails fast, naming the URI and the HTTP status", async () => {
      const proxy = await startRecordingProxy(mlflow.url);
      proxy.down = true;
      try {
        const failure = await runProvidersApp("mlflow", { service: { name: "e2e-mlflow" }, mlflow: { tracking_uri: proxy.url, experiment_name: "never" } }).then(
          () => new Error("the app ran"),
          (error: Error) => error,
        );
        expect(failure.message).toContain(`MLflow at ${proxy.url} answered HTTP 503 to GET /api/2.0/mlflow/experiments/get-by-name`);
        expect(proxy.requests.filter((request) => request.path === "/v1/traces")).toEqual([]);
      } finally {
        await proxy.close();
      }
      expect(await getExperimentIdByName(mlflow.url, "never")).toBeUndefined();
    });

    it("permissive mode with the server down: the app runs, warns, drops the spans of that export with a count, and resolves the experiment once the server is back", async () => {
      const proxy = await startRecordingProxy(mlflow.url);
      proxy.down = true;
      const name = `${experimentName}-recovery`;
      try {
        const { result, stderr } = await runRecoveryApp(proxy, { service: { name: "e2e-mlflow-recovery" }, mlflow: { tracking_uri: proxy.url, experiment_name: name } });
        expect(result).toEqual(expect.objectContaining({ active: true, issues: [], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
        // One start-up warning naming the URI and the status, and the exporter's count of dropped spans.
        expect(stderr.match(/resolved again at each export/g)).toHaveLength(1);
        expect(stderr).toContain(`MLflow at ${proxy.url} answered HTTP 503`);
        expect(stderr).toMatch(/1 span dropped, 1 so far/);
        const id = await getExperimentIdByName(mlflow.url, name);
        expect(id).toMatch(/^\d+$/);
        const recovered = await searchTraces(mlflow.url, id!, { minCount: 1, timeoutMs: 30_000 });
        const names = await Promise.all(recovered.map(async (info) => rootOf(await getTrace(mlflow.url, info.trace_id))?.name));
        expect(names).toEqual(["after-recovery"]);
      } finally {
        await proxy.close();
      }
    });
  });

  it("the local config of docs/platforms/mlflow.md works as written (only the port differs)", async () => {
    const docs = readFileSync(join(__dirname, "..", "..", "docs", "platforms", "mlflow.md"), "utf8");
    const block = /```yaml\n(# llmops\.yaml\n[\s\S]*?)```/.exec(docs)?.[1];
    expect(block).toContain('tracking_uri: "http://127.0.0.1:5000"');
    const folder = mkdtempSync(join(tmpdir(), "llmops-e2e-docs-"));
    try {
      const file = join(folder, "llmops.yaml");
      writeFileSync(file, block!.replace("http://127.0.0.1:5000", mlflow.url));
      const run = spawnSync(process.execPath, [join(__dirname, "docs-app.mjs")], { env: cleanEnvironment({ LLMOPS_CONFIG_PATH: file }), encoding: "utf8", timeout: 60_000 });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
      expect(lastJsonLine(run.stdout)).toEqual({ active: true, issues: [], configFile: file, shutdown: expect.objectContaining({ ok: true, timedOut: false }) });
      const id = await getExperimentIdByName(mlflow.url, "my-experiment");
      expect(id).toMatch(/^\d+$/);
      const found = await searchTraces(mlflow.url, id!, { minCount: 1, timeoutMs: 30_000 });
      expect(found).toHaveLength(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
