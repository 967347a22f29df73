import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastJsonLine, runNode, startHttpReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan } from "@llmops-internal/test-support";
import { acceptedSpans, describeRun, exampleEnv } from "./support/examples";
import type { ExampleRun } from "./support/examples";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { repo } from "./support/pack";

/**
 * The instrumentor registries against the real client packages: each entry of each platform's registry is exercised
 * with its real client (installed from npm in test/fixtures/instrumentor-apps, or in e2e/ for the provider clients),
 * talking to a local stand-in where a provider is needed, and the report says `instrumented` only when a patch was
 * seen. The apps run on the built packages, in child processes, and export to a local OTLP receiver (for MLflow,
 * behind a stand-in of the tracking server's experiments API).
 */
const appsDirectory = join(repo, "test", "fixtures", "instrumentor-apps");
const currentNode: NodeBinary = { path: process.execPath, version: process.version };

/** Where each registry key is driven by its real client package: a key added to a registry without one fails here. */
const REAL_CLIENT_TESTS: Readonly<Record<string, string>> = {
  openai: "e2e/arize/phoenix.e2e.test.ts and e2e/mlflow/mlflow.e2e.test.ts (openai against the OpenAI stand-in); test/integration/examples.test.ts",
  anthropic: "e2e/arize/phoenix.e2e.test.ts and e2e/mlflow/mlflow.e2e.test.ts (@anthropic-ai/sdk against the Anthropic stand-in)",
  langchain: "e2e/arize/phoenix.e2e.test.ts and e2e/mlflow/mlflow.e2e.test.ts (@langchain/openai against the OpenAI stand-in)",
  bedrock: "this file, arize and mlflow (@aws-sdk/client-bedrock-runtime against the Bedrock stand-in)",
  bedrock_agent_runtime: "this file (@aws-sdk/client-bedrock-agent-runtime against the Bedrock stand-in's event stream)",
  mcp: "this file, arize and mlflow (a @modelcontextprotocol/sdk client and server over Streamable HTTP)",
  vercel:
    "test/integration/vercel-ai.test.ts (llmops's own integration: the real ai 6 and 7 with @ai-sdk/openai against the OpenAI stand-in); this file (ai 5, whose own spans @arizeai/openinference-vercel converts on arize)",
};

/**
 * The MLflow tracking server as far as the mlflow platform needs it: `experiments/get-by-name` answers one experiment,
 * every other request (the OTLP export to `/v1/traces`) is passed to `target`.
 */
async function startMlflowFront(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      if (path.startsWith("/api/2.0/mlflow/experiments/get-by-name")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ experiment: { experiment_id: "7", name: "llmops-registry", lifecycle_stage: "active" } }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "content-encoding"]) if (typeof request.headers[name] === "string") headers[name] = request.headers[name];
      fetch(`${target}${path}`, { method: request.method ?? "POST", headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/x-protobuf" });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface RunAppOptions {
  readonly node?: NodeBinary;
  /** Node arguments before the app, e.g. `["--import", "@llmops/platform-arize/register"]`. */
  readonly nodeArgs?: readonly string[];
  /** Hand the config in a file named by LLMOPS_CONFIG_PATH (for the register entry points) instead of LLMOPS_APP_CONFIG. */
  readonly configFile?: boolean;
}

/**
 * Runs an app of the fixture on `platform`, exporting to a fresh receiver, with `config` over the destination; returns
 * what it printed and every span the receiver accepted by the time it exited. Never rejects.
 */
async function runApp(app: string, platform: "arize" | "mlflow", config: Record<string, unknown>, options: RunAppOptions = {}): Promise<ExampleRun> {
  const receiver = await startHttpReceiver();
  const front = platform === "mlflow" ? await startMlflowFront(receiver.url) : undefined;
  try {
    const destination = front === undefined ? { arize: { endpoint: receiver.url } } : { mlflow: { tracking_uri: front.url, experiment_name: "llmops-registry" } };
    const fullConfig = JSON.stringify({ service: { name: `registry-${app}` }, ...destination, ...config });
    const env: Record<string, string> = { LLMOPS_APP_PLATFORM: platform, LLMOPS_APP_CONFIG: fullConfig };
    if (options.configFile === true) {
      const file = join(mkdtempSync(join(tmpdir(), "llmops-registry-")), "llmops.json");
      writeFileSync(file, fullConfig);
      env.LLMOPS_CONFIG_PATH = file;
    }
    const { code, signal, stdout, stderr } = await runNode([...(options.nodeArgs ?? []), app], {
      node: (options.node ?? currentNode).path,
      cwd: appsDirectory,
      env: exampleEnv(env),
      timeoutMillis: 60_000,
    });
    const requests = [...receiver.requests];
    return { code, signal, stdout, stderr, summary: lastJsonLine<ExampleRun["summary"]>(stdout), requests, spans: acceptedSpans(requests), endpoint: receiver.url };
  } finally {
    await front?.close();
    await receiver.close();
  }
}

interface AppSummary {
  reports: Array<{ key: string; status: string; patchedModule: boolean }>;
  [key: string]: unknown;
}

function summaryOf(run: ExampleRun): AppSummary {
  if (run.code !== 0 || run.summary === undefined) throw new Error(describeRun(run));
  return run.summary as unknown as AppSummary;
}

const kindOf = (span: DecodedSpan): unknown => span.attributes["openinference.span.kind"];

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
