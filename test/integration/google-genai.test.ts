import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runNode } from "@llmops-internal/test-support";
import type { DecodedSpan } from "@llmops-internal/test-support";
import { exampleEnv } from "./support/examples";
import { appsDirectory, kindOf, runApp, summaryOf } from "./support/instrumentor-apps";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";

/**
 * `google_genai` through the built platforms with the real @google/genai, newest 1.x, 2.x and 3.x installed side by
 * side in test/fixtures/instrumentor-apps (`google-genai-1`, `google-genai-2` and `@google/genai`), against the
 * Gemini stand-in: CommonJS (core's require hook, or `modules` for the aliased copies), ES modules with `modules`, and
 * ES modules under `--import <platform>/register` (3.x), on every Node the integration project runs.
 */
const SCOPE = "@llmops/instrumentation-google-genai";
/** @google/genai 3.x declares `engines.node >=22`: it is run on Node 22 and later only. 1.x and 2.x declare >=20. */
const MAJORS: ReadonlyArray<{ module: string; major: number; minimumNode: number }> = [
  { module: "google-genai-1", major: 1, minimumNode: 20 },
  { module: "google-genai-2", major: 2, minimumNode: 20 },
  { module: "@google/genai", major: 3, minimumNode: 22 },
];
const majorOf = (binary: NodeBinary): number => Number(/^v(\d+)/.exec(binary.version)?.[1] ?? 0);

interface GenAIOutcome {
  reports: Array<{ key: string; status: string; patchedModule: boolean }>;
  version: string;
  answer: string;
  streamed: string;
  calls: Array<{ name: string; args: Record<string, unknown> }>;
  chatAnswer: string;
  chatStreamed: string;
  dimensions: number;
  counted: number;
  failure: number;
}

const ours = (spans: readonly DecodedSpan[]): DecodedSpan[] => spans.filter((span) => span.scope === SCOPE);

/** What every run of the scenario must show: one span per call, each with what the app saw. */
function expectScenarioSpans(spans: readonly DecodedSpan[], outcome: GenAIOutcome): void {
  const traced = ours(spans);
  const names = traced.map((span) => span.name).sort();
  expect(names).toEqual([
    "GoogleGenAI countTokens",
    "GoogleGenAI embedContent",
    "GoogleGenAI generateContent",
    "GoogleGenAI generateContent",
    "GoogleGenAI generateContent",
    "GoogleGenAI generateContent",
    "GoogleGenAI generateContentStream",
    "GoogleGenAI generateContentStream",
  ]);
  const byOutput = (value: string): DecodedSpan | undefined => traced.find((span) => span.attributes["output.value"] === value);
  const answer = byOutput(outcome.answer);
  expect(answer?.attributes).toEqual(
    expect.objectContaining({ "openinference.span.kind": "LLM", "llm.model_name": "gemini-2.5-flash", "input.value": "Hello Gemini", "llm.token_count.completion": 12 }),
  );
  // Streams: recorded as consumed, with the token counts of the last chunk.
  for (const text of [outcome.streamed, outcome.chatStreamed]) {
    const stream = byOutput(text);
    expect(stream?.name).toBe("GoogleGenAI generateContentStream");
    expect(Number(stream?.attributes["llm.token_count.completion"])).toBeGreaterThan(0);
    expect(Number(stream?.attributes["llm.token_count.total"])).toBe(Number(stream?.attributes["llm.token_count.prompt"]) + Number(stream?.attributes["llm.token_count.completion"]));
  }
  const call = traced.find((span) => span.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"] === "get_weather");
  expect(call?.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"]).toBe(JSON.stringify(outcome.calls[0]?.args));
  expect(String(call?.attributes["llm.tools.0.tool.json_schema"])).toContain('"get_weather"');
  expect(byOutput(outcome.chatAnswer)?.attributes["llm.input_messages.0.message.content"]).toBe("Hi chat");
  const embedding = traced.find((span) => kindOf(span) === "EMBEDDING");
  expect(embedding?.attributes["embedding.embeddings.0.embedding.text"]).toBe("embed me");
  expect(embedding?.attributes["embedding.embeddings.0.embedding.vector"]).toHaveLength(outcome.dimensions);
  expect(traced.find((span) => span.name === "GoogleGenAI countTokens")?.attributes["output.value"]).toBe(JSON.stringify({ totalTokens: outcome.counted }));
  // The failed call has its span too (status and exception are checked in the package's own tests).
  expect(traced.filter((span) => span.attributes["llm.model_name"] === "gemini-error-429")).toHaveLength(1);
}

type App = "genai-app.cjs" | "genai-app.mjs" | "genai-register.mjs";
/** Each app with each major its Node allows; the register hook watches the real name, so it runs with 3.x (Node 22+). */
const runs = nodeBinaries().flatMap((binary) =>
  MAJORS.filter((major) => majorOf(binary) >= major.minimumNode).flatMap((major) =>
    (["genai-app.cjs", "genai-app.mjs", ...(major.module === "@google/genai" ? (["genai-register.mjs"] as const) : [])] as App[]).map(
      (app) => [`${app} with ${major.module} (${major.major}.x)`, binary.version, app, major, binary] as const,
    ),
  ),
);

describe("google_genai with the real @google/genai", () => {
  it.each(runs)(
    "%s on Node %s: every call traced, streams with their token counts",
    async (_name, _version, app, major, binary) => {
      // The register app imports @google/genai statically, with no llmops code: the loader started by --import patches it.
      const register = app === "genai-register.mjs" ? { nodeArgs: ["--import", "@llmops/platform-arize/register"], configFile: true } : {};
      const run = await runApp(app, "arize", {}, { node: binary, env: { GENAI_MODULE: major.module }, ...register });
      const outcome = summaryOf(run) as unknown as GenAIOutcome;
      expect(outcome.version.split(".")[0]).toBe(String(major.major));
      expect(outcome.reports).toEqual(expect.arrayContaining([{ key: "google_genai", status: "instrumented", patchedModule: true }]));
      expect(outcome.answer).toBe('This is the stand-in answering "Hello Gemini".');
      expect(outcome.failure).toBe(429);
      expectScenarioSpans(run.spans, outcome);
    },
    90_000,
  );

  it.each(nodeBinaries().map((binary) => [binary.version, binary] as const))(
    "a bundled app (esbuild, the client inside the bundle) hands the module in with `modules` and is traced (Node %s)",
    async (_version, binary) => {
      // The newest major this Node may run: 3.x declares Node 22+.
      const copy = majorOf(binary) >= 22 ? "@google/genai" : "google-genai-2";
      const folder = mkdtempSync(join(appsDirectory, ".bundle-"));
      try {
        const bundled = await runNode(["bundle-genai.mjs", join(folder, "app.mjs"), copy], { cwd: appsDirectory, env: exampleEnv(), timeoutMillis: 60_000 });
        expect(bundled.code).toBe(0);
        const run = await runApp(join(folder, "app.mjs"), "arize", {}, { node: binary, env: { GENAI_MODULE: copy } });
        const outcome = summaryOf(run) as unknown as GenAIOutcome;
        expect(outcome.reports).toEqual(expect.arrayContaining([{ key: "google_genai", status: "instrumented", patchedModule: true }]));
        expectScenarioSpans(run.spans, outcome);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
    90_000,
  );

  it("on mlflow: the same spans, through the mlflow platform's registry", async () => {
    const run = await runApp("genai-app.cjs", "mlflow", {}, { env: { GENAI_MODULE: "google-genai-2" } });
    const outcome = summaryOf(run) as unknown as GenAIOutcome;
    expect(outcome.reports).toEqual(expect.arrayContaining([{ key: "google_genai", status: "instrumented", patchedModule: true }]));
    expectScenarioSpans(run.spans, outcome);
  }, 90_000);

  it("privacy.hide_inputs reaches the instrumentation; instrumentation.google_genai: false turns it off", async () => {
    const hidden = await runApp("genai-app.cjs", "arize", { privacy: { hide_inputs: true } }, { env: { GENAI_MODULE: "google-genai-2" } });
    summaryOf(hidden);
    const llm = ours(hidden.spans).filter((span) => kindOf(span) === "LLM");
    expect(llm.length).toBeGreaterThan(0);
    for (const span of llm) {
      expect(span.attributes["input.value"]).toBe("__REDACTED__");
      expect(Object.keys(span.attributes).filter((key) => key.startsWith("llm.input_messages"))).toEqual([]);
    }
    const off = await runApp("genai-app.cjs", "arize", { instrumentation: { google_genai: false } }, { env: { GENAI_MODULE: "google-genai-2" } });
    const outcome = summaryOf(off) as unknown as GenAIOutcome;
    expect(outcome.reports).toEqual(expect.arrayContaining([{ key: "google_genai", status: "disabled", patchedModule: false }]));
    expect(outcome.answer).toBe('This is the stand-in answering "Hello Gemini".');
    expect(ours(off.spans)).toEqual([]);
  }, 90_000);
});
