import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastJsonLine, runNode, startHttpReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan } from "@llmops-internal/test-support";
import { acceptedSpans, exampleEnv } from "./support/examples";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { arizePackage, buildAndPack, corePackage, repo, runOrThrow } from "./support/pack";

/**
 * The Vercel AI SDK as users run it: fresh apps with the real `ai` and `@ai-sdk/openai` (7 on Node 22 and later, 6 on
 * every Node), installed with npm next to the packed llmops tarballs, talking to the OpenAI stand-in. The app calls
 * instrument() and nothing else of the AI SDK's telemetry; its agent (trace()) runs generateText with a tool, then
 * streamText answers. The spans arrive at a local OTLP receiver as OpenInference AGENT, LLM and TOOL spans, nested
 * under the caller's span, and the report says `instrumented` only once the AI SDK called llmops.
 */
const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;
/** Test-only versions, pinned: the newest of each major when written. */
const AI_SDK = {
  // With OpenInference's converter of the AI SDK's own spans beside it (3.x, an import-only package): llmops loads it
  // on arize, and it leaves llmops's spans as they are. It imports @opentelemetry/sdk-trace-base without declaring it:
  // the app installs it, as docs/frameworks/vercel-ai.md says.
  7: { ai: "7.0.173", "@ai-sdk/openai": "4.0.118", "@arizeai/openinference-vercel": "3.2.1", "@opentelemetry/sdk-trace-base": "2.12.1" },
  6: { ai: "6.0.326", "@ai-sdk/openai": "3.0.141" },
} as const;

const nodes = nodeBinaries();
const majorOf = (node: NodeBinary): number => Number(node.version.replace(/^v/, "").split(".")[0]);
/** AI SDK 7 needs Node 22: `pnpm test` hands the Node 22 and 24 binaries in (LLMOPS_TEST_NODE_BINARIES). */
const nodesFor7 = nodes.filter((node) => majorOf(node) >= 22);

let temp: string;
const apps: Partial<Record<6 | 7, string>> = {};
const log: string[] = [];

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-ai-sdk-"));
  const tarballs = { [corePackage.name]: await buildAndPack(corePackage, join(temp, "tarballs")), [arizePackage.name]: await buildAndPack(arizePackage, join(temp, "tarballs")) };
  await Promise.all(
    ([7, 6] as const).map(async (major) => {
      const directory = join(temp, `app-${major}`);
      mkdirSync(directory, { recursive: true });
      const dependencies: Record<string, string> = { ...AI_SDK[major], zod: "4.6.7", "@opentelemetry/api": "1.9.0" };
      for (const [name, tarball] of Object.entries(tarballs)) dependencies[name] = `file:${tarball}`;
      writeFileSync(join(directory, "package.json"), JSON.stringify({ name: `ai-sdk-${major}-app`, version: "1.0.0", private: true, type: "module", dependencies }, null, 2));
      copyFileSync(join(repo, "test", "fixtures", "ai-sdk-app", "app.mjs"), join(directory, "app.mjs"));
      // --engine-strict=false: ai 7 says Node 22 in its engines, and npm runs on the Node of this test.
      const result = await runOrThrow(`npm install (AI SDK ${major})`, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--engine-strict=false"], { cwd: directory });
      log.push(`npm install (AI SDK ${major}): ${(result.millis / 1000).toFixed(1)} s`);
      apps[major] = directory;
    }),
  );
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (temp !== undefined && process.env.LLMOPS_KEEP_TEMP !== "1") rmSync(temp, { recursive: true, force: true });
  process.stdout.write(`${log.join("\n")}\n`);
});

interface AppResult {
  node: string;
  before?: { status: string; patchedModule: boolean };
  after?: { status: string; patchedModule: boolean };
  answer: string;
  streamed: string;
  native?: string;
  paths: string[];
}

async function runApp(major: 6 | 7, node: NodeBinary, extraEnv: Record<string, string> = {}): Promise<{ result: AppResult; spans: DecodedSpan[] }> {
  const directory = apps[major];
  if (directory === undefined) throw new Error(`the AI SDK ${major} app was not installed: see beforeAll`);
  const receiver = await startHttpReceiver();
  try {
    const run = await runNode(["app.mjs"], {
      node: node.path,
      cwd: directory,
      env: exampleEnv({ LLMOPS_APP_ENDPOINT: receiver.url, LLMOPS_STAND_INS: join(repo, "tools", "stand-ins"), ...extraEnv }),
      timeoutMillis: 60_000,
    });
    const result = lastJsonLine<AppResult>(run.stdout);
    if (run.code !== 0 || result === undefined) throw new Error(`app (AI SDK ${major}, Node ${node.version}) exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    // Nothing to warn about: no package taken for missing, none failing to load.
    expect(run.stderr).toBe("");
    return { result, spans: acceptedSpans([...receiver.requests]) };
  } finally {
    await receiver.close();
  }
}

const kindOf = (span: DecodedSpan | undefined): unknown => span?.attributes["openinference.span.kind"];

/** What every run must show: the report, the answers, and the OpenInference spans nested under the caller's span. */
function expectOpenInferenceTrace(major: 6 | 7, result: AppResult, spans: DecodedSpan[]): void {
  expect(result.before?.status).toBe("waiting");
  expect(result.after).toEqual(expect.objectContaining({ status: "instrumented", patchedModule: false }));
  expect(result.answer).toBe('The tool returned {"city":"Paris","celsius":21}. That is the answer.');
  expect(result.streamed).toBe('This is the stand-in answering "Say hello.".');
  expect(result.paths.slice(0, 3)).toEqual(["/v1/responses", "/v1/responses", "/v1/responses"]);

  const caller = spans.find((span) => span.name === "weather-agent");
  expect(caller).toBeDefined();
  const ours = spans.filter((span) => span.scope === "@llmops/core/ai-sdk");
  const agents = ours.filter((span) => kindOf(span) === "AGENT");
  expect(agents).toHaveLength(2);
  const agent = agents.find((span) => span.parentSpanId === caller?.spanId);
  expect(agent).toBeDefined();
  expect(agent?.traceId).toBe(caller?.traceId);
  expect(agent?.attributes["output.value"]).toBe(result.answer);
  const children = spans.filter((span) => span.parentSpanId === agent?.spanId);
  expect(children.map((span) => kindOf(span)).sort()).toEqual(["LLM", "LLM", "TOOL"]);

  const [first, second] = children.filter((span) => kindOf(span) === "LLM").sort((a, b) => Number(a.attributes["llm.token_count.prompt"]) - Number(b.attributes["llm.token_count.prompt"]));
  expect(first?.attributes).toEqual(
    expect.objectContaining({
      "llm.model_name": "gpt-4o-mini",
      "llm.provider": "openai",
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": "What is the weather in Paris?",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "weather",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"Paris"}',
      "llm.token_count.completion": 10,
    }),
  );
  expect(first?.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
  expect(first?.attributes["llm.tools.0.tool.json_schema"]).toContain('"name":"weather"');
  expect(second?.attributes).toEqual(
    expect.objectContaining({
      "llm.input_messages.2.message.role": "tool",
      "llm.output_messages.0.message.content": result.answer,
      "output.value": result.answer,
    }),
  );
  expect(second?.attributes["llm.token_count.total"]).toBe(Number(second?.attributes["llm.token_count.prompt"]) + Number(second?.attributes["llm.token_count.completion"]));

  const tool = children.find((span) => kindOf(span) === "TOOL");
  expect(tool?.name).toBe("weather");
  expect(tool?.attributes).toEqual(expect.objectContaining({ "tool.name": "weather", "input.value": '{"city":"Paris"}', "output.value": '{"city":"Paris","celsius":21}' }));

  // streamText, outside any span of the app: its own trace, the AGENT with its LLM call and the system message.
  const streamAgent = agents.find((span) => span !== agent);
  expect(streamAgent?.parentSpanId).toBeUndefined();
  if (major === 7) expect(streamAgent?.name).toBe("ai.streamText");
  const streamLlm = spans.find((span) => span.parentSpanId === streamAgent?.spanId);
  expect(streamLlm?.attributes).toEqual(
    expect.objectContaining({
      "openinference.span.kind": "LLM",
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "Answer briefly.",
      "llm.output_messages.0.message.content": result.streamed,
    }),
  );
  // The two calls made ours: AGENT, two LLM and a TOOL; AGENT and LLM; nothing else from llmops's integration.
  expect(ours).toHaveLength(6);
}

describe("Vercel AI SDK 7 (ES modules only, Node 22+)", () => {
  it("has a Node 22 or later to run on", () => {
    // Without one the cases below would not exist: say so rather than pass with nothing run.
    expect(nodesFor7.map((node) => node.version)).not.toEqual([]);
  });
  it.each(nodesFor7.map((node) => [node.version, node] as const))(
    "Node %s: generateText with a tool and streamText become OpenInference AGENT, LLM and TOOL spans under the caller's span",
    async (_version, node) => {
      const { result, spans } = await runApp(7, node, { LLMOPS_APP_GENAI: "1" });
      expectOpenInferenceTrace(7, result, spans);
      // The import-only @arizeai/openinference-vercel 3.x was loaded, not taken for missing: it converted the gen_ai span.
      expect(kindOf(spans.find((span) => span.name === "chat gpt-4o-mini"))).toBe("LLM");
    },
    90_000,
  );
});

describe("Vercel AI SDK 6", () => {
  it.each(nodes.map((node) => [node.version, node] as const))(
    "Node %s: generateText with a tool and streamText become OpenInference AGENT, LLM and TOOL spans under the caller's span",
    async (_version, node) => {
      const { result, spans } = await runApp(6, node, { LLMOPS_APP_NATIVE: "1" });
      expectOpenInferenceTrace(6, result, spans);
      // The call with experimental_telemetry on: the AI SDK's own spans (scope "ai"), none of llmops's, so nothing twice.
      expect(result.native).toBe('This is the stand-in answering "Own spans.".');
      expect(spans.filter((span) => span.scope === "ai").map((span) => span.name)).toEqual(["ai.generateText.doGenerate", "ai.generateText"]);
    },
    90_000,
  );
});
