import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acceptedSpans, describeRun, examplesDirectory, llmSpans, llmSpansPerPrompt, OPENAI_INSTRUMENTOR_SCOPE, promptOf, runExample, serviceNames, startReceiver } from "./support/examples";
import type { ExampleRun } from "./support/examples";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { cleanEnvironment } from "@llmops-internal/test-support";
import { repo, runOrThrow } from "./support/pack";

/**
 * The apps of `examples/`, each run as a child process against the built packages, with a local OTLP/HTTP receiver
 * as its Phoenix (PHOENIX_COLLECTOR_ENDPOINT, which each example's llmops.yaml substitutes into `arize.endpoint`).
 * For every app: exit 0, and for every chat completion it made exactly one LLM span from the OpenInference OpenAI
 * instrumentor, with the model name, under the service name and project of the example's config; no span twice.
 *
 * - esm: `node --import @llmops/platform-arize/register`, `import OpenAI from "openai"`, nothing handed in (loader hook);
 * - cjs: `node --require @llmops/platform-arize/register`, `require("openai")`;
 * - tsx: TypeScript run by tsx, the typed `instrument()` of @llmops/platform-arize (and the example type-checks);
 * - esbuild: one bundle with openai inside, run from a folder with nothing to discover (`registerPlatform()`);
 * - serverless: a handler that ends with `forceFlush()`, invoked by a runtime that exits right after it returns;
 * - coexist-nodesdk: the app's own NodeSDK stays the global provider; its spans and llmops's each arrive once;
 * - mixed-modules: openai loaded as CommonJS and as ESM, instrument() called twice, in code and after --import register.
 *
 * The apps of one Node run in parallel; the suite runs on the Node running jest and on each binary listed in
 * `LLMOPS_TEST_NODE_BINARIES`.
 */

const REGISTER = "@llmops/platform-arize/register";
const PROJECT = "llmops-examples";

const temporary = mkdtempSync(join(tmpdir(), "llmops-examples-"));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** Builds the esbuild example once and lays it out as a deployment: the bundle, its config, a package.json with no dependencies, and only the (external) instrumentor in node_modules. */
let deployment: Promise<string> | undefined;
function esbuildDeployment(): Promise<string> {
  deployment ??= (async () => {
    const example = join(examplesDirectory, "esbuild");
    await runOrThrow("esbuild example build", process.execPath, ["build.mjs"], { cwd: example, env: cleanEnvironment() });
    const folder = join(temporary, "esbuild-deployment");
    mkdirSync(join(folder, "node_modules", "@arizeai"), { recursive: true });
    copyFileSync(join(example, "dist", "index.mjs"), join(folder, "index.mjs"));
    copyFileSync(join(example, "dist", "llmops.yaml"), join(folder, "llmops.yaml"));
    writeFileSync(join(folder, "package.json"), `${JSON.stringify({ name: "bundled-app", private: true }, null, 2)}\n`);
    const instrumentor = "@arizeai/openinference-instrumentation-openai";
    symlinkSync(realpathSync(join(example, "node_modules", instrumentor)), join(folder, "node_modules", instrumentor), "dir");
    return folder;
  })();
  return deployment;
}

/** Fails with everything the app printed and sent unless it exited 0 and printed its summary. */
function expectCleanExit(run: ExampleRun): asserts run is ExampleRun & { summary: NonNullable<ExampleRun["summary"]> } {
  if (run.code !== 0 || run.signal !== null || run.summary === undefined) throw new Error(`The example did not finish cleanly: ${describeRun(run)}`);
}

/**
 * One LLM span per chat completion the app made, from the OpenAI instrumentor, with the model; the example's service
 * and project; no span twice. And a clean stderr: no Node process warning, and (but in the app that runs its own
 * NodeSDK) no "another provider is registered", which would mean llmops left the globals alone.
 */
function expectOneLlmSpanPerCall(run: ExampleRun, serviceName: string, options: { appHasOwnProvider?: boolean } = {}): void {
  expectCleanExit(run);
  expect(run.stderr).not.toMatch(/\(node:\d+\) \w*Warning/);
  if (options.appHasOwnProvider !== true) expect(run.stderr).not.toContain("Another TracerProvider is already registered");
  const { prompts } = run.summary;
  expect(prompts.length).toBeGreaterThan(0);
  expect(run.summary.requests).toBe(prompts.length);
  expect(llmSpansPerPrompt(run.spans, prompts)).toEqual(Object.fromEntries(prompts.map((prompt) => [prompt, 1])));
  for (const span of llmSpans(run.spans)) {
    expect(span.scope).toBe(OPENAI_INSTRUMENTOR_SCOPE);
    expect(span.attributes["llm.model_name"]).toEqual(expect.stringContaining("gpt-4o-mini"));
    expect(span.attributes["llm.system"]).toBe("openai");
  }
  expect(serviceNames(run.requests)).toEqual([serviceName]);
  for (const request of run.requests) expect(request.resourceAttributes["openinference.project.name"]).toBe(PROJECT);
  expect(new Set(run.spans.map((span) => span.spanId)).size).toBe(run.spans.length);
}

describe.each(nodeBinaries().map((node) => [node.version, node] as const))("examples on Node %s", (_version, node: NodeBinary) => {
  // Started together in beforeAll, awaited by each test.
  let runs: Record<string, Promise<ExampleRun>>;
  let coexist: Promise<{ run: ExampleRun; appSpans: ReturnType<typeof acceptedSpans>; appServiceNames: string[] }>;

  beforeAll(() => {
    runs = {
      esm: runExample({ node, example: "esm", args: ["--import", REGISTER, "index.mjs"] }),
      cjs: runExample({ node, example: "cjs", args: ["--require", REGISTER, "index.cjs"] }),
      tsx: runExample({ node, example: "tsx", args: [tsxCli(), "index.ts"] }),
      esbuild: esbuildDeployment().then(
        (folder) => runExample({ node, example: "esbuild", cwd: folder, args: ["index.mjs"] }),
        (error: Error) => ({ code: -1, signal: null, stdout: "", stderr: error.message, summary: undefined, requests: [], spans: [], endpoint: "" }),
      ),
      // A ten-minute batch delay: only the handler's own forceFlush() can deliver its spans before the exit.
      serverless: runExample({ node, example: "serverless", args: ["invoke.mjs"], env: { OTEL_BSP_SCHEDULE_DELAY: "600000" } }),
      mixedInCode: runExample({ node, example: "mixed-modules", args: ["index.mjs"] }),
      mixedRegister: runExample({ node, example: "mixed-modules", args: ["--import", REGISTER, "index.mjs"] }),
    };
    coexist = (async () => {
      const appReceiver = await startReceiver();
      try {
        const run = await runExample({
          node,
          example: "coexist-nodesdk",
          args: ["index.mjs"],
          env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${appReceiver.url}/v1/traces` },
        });
        return { run, appSpans: appReceiver.acceptedSpans(), appServiceNames: serviceNames(appReceiver.requests) };
      } finally {
        await appReceiver.close();
      }
    })();
  });

  afterAll(async () => {
    // Nothing left running when a test failed early.
    await Promise.allSettled([...Object.values(runs), coexist]);
  }, 90_000);

  it('esm: `node --import .../register`, `import OpenAI from "openai"` with no modules handed in: one LLM span per call', async () => {
    expectOneLlmSpanPerCall(await runs.esm!, "example-esm");
  }, 90_000);

  it('cjs: `node --require .../register`, `require("openai")`: one LLM span per call', async () => {
    expectOneLlmSpanPerCall(await runs.cjs!, "example-cjs");
  }, 90_000);

  it("tsx: index.ts run by tsx, typed instrument() of @llmops/platform-arize: one LLM span per call", async () => {
    const run = await runs.tsx!;
    expectOneLlmSpanPerCall(run, "example-tsx");
    expect(run.summary).toEqual(expect.objectContaining({ instrumented: ["openai"], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
  }, 90_000);

  it("esbuild: the bundle (openai inside) runs where there is nothing to discover, with registerPlatform(): one LLM span per call", async () => {
    const run = await runs.esbuild!;
    expectOneLlmSpanPerCall(run, "example-esbuild");
    expect(run.summary).toEqual(expect.objectContaining({ source: "registered", instrumented: ["openai"], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
  }, 90_000);

  it("serverless: every invocation's spans reach the collector before the handler returns (the runtime exits right after)", async () => {
    const run = await runs.serverless!;
    expectOneLlmSpanPerCall(run, "example-serverless");
    expectCleanExit(run);
    expect(run.summary.responses).toEqual(run.summary.prompts.map(() => expect.objectContaining({ statusCode: 200 })));
    // One export per invocation, each holding that invocation's span: flushed by forceFlush(), not by a timer or at exit.
    expect(run.requests.map((request) => llmSpans(request.spans).map(promptOf))).toEqual(run.summary.prompts.map((prompt) => [prompt]));
  }, 90_000);

  it("coexist-nodesdk: llmops leaves the app's NodeSDK provider global (quietly: the app lists sdk-node); the app's spans and the LLM spans each arrive once, in one trace", async () => {
    const { run, appSpans, appServiceNames } = await coexist;
    expectOneLlmSpanPerCall(run, "example-coexist-nodesdk", { appHasOwnProvider: true });
    expectCleanExit(run);
    expect(run.stderr).not.toMatch(/already registered globally|duplicate registration/i);
    expect(run.summary.llmopsProviderIsGlobal).toBe(false);

    // The app's own spans went through its NodeSDK, to its collector, once each; none of them to llmops's.
    const appQuestionSpans = appSpans.filter((span) => span.name === "answer question");
    expect(appQuestionSpans.map((span) => span.attributes["app.prompt"])).toEqual(run.summary.prompts);
    expect(appServiceNames).toEqual(["coexist-app"]);
    expect(llmSpans(appSpans)).toEqual([]);
    expect(run.spans.filter((span) => span.name === "answer question")).toEqual([]);
    const allSpanIds = [...appSpans, ...run.spans].map((span) => span.spanId);
    expect(new Set(allSpanIds).size).toBe(allSpanIds.length);

    // Each LLM span is a child of the app's span that was active when the call was made.
    for (const llm of llmSpans(run.spans)) {
      const parent = appQuestionSpans.find((span) => span.attributes["app.prompt"] === promptOf(llm));
      expect({ traceId: llm.traceId, parentSpanId: llm.parentSpanId }).toEqual({ traceId: parent?.traceId, parentSpanId: parent?.spanId });
    }
  }, 90_000);

  it.each([
    ["in code (instrument() twice)", "mixedInCode"],
    ["after --import .../register (and instrument() twice)", "mixedRegister"],
  ])(
    "mixed-modules %s: openai loaded as CommonJS and as ESM, one LLM span per call through either copy",
    async (_label, key) => {
      const run = await runs[key]!;
      expectOneLlmSpanPerCall(run, "example-mixed-modules");
      expectCleanExit(run);
      expect(run.summary).toEqual(expect.objectContaining({ twoCopies: true, sameHandle: true, shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
    },
    90_000,
  );
});

it("examples/tsx type-checks against the published declarations of the built packages", async () => {
  const typescript = require.resolve("typescript/bin/tsc", { paths: [join(examplesDirectory, "tsx")] });
  await runOrThrow("tsc of examples/tsx", process.execPath, [typescript, "-p", "tsconfig.json"], { cwd: join(examplesDirectory, "tsx"), env: cleanEnvironment() });
}, 90_000);

/** tsx's command line, as `tsx index.ts` runs it, from the example's own dependencies. */
function tsxCli(): string {
  const cli = require.resolve("tsx/cli", { paths: [join(examplesDirectory, "tsx")] });
  if (!existsSync(cli)) throw new Error(`tsx is not installed in examples/tsx (${repo}: pnpm install)`);
  return cli;
}
