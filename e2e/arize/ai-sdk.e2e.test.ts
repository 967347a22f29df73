import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode } from "@llmops-internal/test-support";
import { readPhoenixSpans, startPhoenix } from "../harness/phoenix";
import type { PhoenixServer, PhoenixSpan } from "../harness/phoenix";

/**
 * The Vercel AI SDK 7 (the real ai and @ai-sdk/openai against the OpenAI stand-in) traced by @llmops/platform-arize
 * with nothing but instrument(), against a real Arize Phoenix: the call's spans are read back through Phoenix's REST
 * API as OpenInference AGENT, LLM and TOOL spans under the app's own trace() span.
 */

/** AI SDK 7 needs Node 22: the first such Node of this process and LLMOPS_TEST_NODE_BINARIES (as `pnpm test` sets). */
function node22(): string | undefined {
  const candidates = [process.execPath, ...(process.env.LLMOPS_TEST_NODE_BINARIES ?? "").split(":").filter((path) => path !== "")];
  return candidates.find((path) => Number(/^v(\d+)/.exec(spawnSync(path, ["--version"], { encoding: "utf8" }).stdout ?? "")?.[1]) >= 22);
}

let phoenix: PhoenixServer;
let app: { node: string; report?: { status: string }; answer: string; shutdown: { ok?: boolean } } | undefined;
let spans: PhoenixSpan[] = [];
const project = `llmops-e2e-ai-sdk-${process.pid}`;

beforeAll(async () => {
  const node = node22();
  if (node === undefined) throw new Error("the AI SDK 7 e2e needs a Node 22 or later: run it on one, or list one in LLMOPS_TEST_NODE_BINARIES (pnpm test does)");
  phoenix = await startPhoenix();
  const config = { service: { name: "e2e-ai-sdk" }, arize: { endpoint: phoenix.url, project_name: project } };
  const run = await runNode([join(__dirname, "..", "apps", "ai-sdk-app.mjs")], {
    node,
    cwd: join(__dirname, ".."),
    env: cleanEnvironment({ LLMOPS_E2E_CONFIG: JSON.stringify(config) }),
    timeoutMillis: 60_000,
  });
  app = lastJsonLine(run.stdout);
  if (run.code !== 0 || app === undefined) throw new Error(`ai-sdk app failed (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  // generateText with one tool call: the caller's span, the AGENT, two LLM calls and the TOOL.
  spans = await readPhoenixSpans(phoenix.url, project, { minCount: 5, timeoutMs: 30_000 });
}, 600_000);

afterAll(async () => {
  await phoenix?.stop();
});

describe("platform-arize → real Phoenix: the Vercel AI SDK 7 with nothing but instrument()", () => {
  it("the app ran on Node 22+, the report said instrumented, and it shut down cleanly", () => {
    expect(Number(/^v(\d+)/.exec(app?.node ?? "")?.[1])).toBeGreaterThanOrEqual(22);
    expect(app?.report?.status).toBe("instrumented");
    expect(app?.answer).toBe('The tool returned {"city":"Paris","celsius":21}. That is the answer.');
  });

  it("arrives as OpenInference AGENT → LLM, LLM, TOOL spans under the app's trace() span, in one trace", () => {
    const caller = spans.find((span) => span.name === "weather-agent");
    const agent = spans.find((span) => span.span_kind === "AGENT");
    expect(agent?.parent_id).toBe(caller?.context.span_id);
    const children = spans.filter((span) => span.parent_id === agent?.context.span_id);
    expect(children.map((span) => span.span_kind).sort()).toEqual(["LLM", "LLM", "TOOL"]);
    expect(new Set(spans.map((span) => span.context.trace_id)).size).toBe(1);
  });

  it("its LLM spans carry model, messages and token counts as Phoenix reads them", () => {
    const llm = spans.filter((span) => span.span_kind === "LLM");
    expect(llm).toHaveLength(2);
    for (const span of llm) {
      expect(span.attributes["llm.model_name"]).toBe("gpt-4o-mini");
      expect(span.attributes["llm.provider"]).toBe("openai");
      expect(span.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
      expect(span.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
      expect(span.attributes["llm.token_count.total"]).toBe(Number(span.attributes["llm.token_count.prompt"]) + Number(span.attributes["llm.token_count.completion"]));
    }
    const last = llm.find((span) => span.attributes["output.value"] === app?.answer);
    expect(JSON.stringify(last?.attributes["llm.input_messages"] ?? last?.attributes)).toContain("What is the weather in Paris?");
    const tool = spans.find((span) => span.span_kind === "TOOL");
    expect(tool?.attributes["tool.name"]).toBe("weather");
  });
});
