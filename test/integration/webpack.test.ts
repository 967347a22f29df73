import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";
import { describeRun, llmSpans, llmSpansPerPrompt, OPENAI_INSTRUMENTOR_SCOPE, runExample } from "./support/examples";
import type { ExampleRun } from "./support/examples";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { repo, runOrThrow } from "./support/pack";

/**
 * An app bundled by webpack 5 (test/fixtures/webpack-app, webpack pinned there), target node, with `@llmops/core` and
 * `@llmops/platform-arize` inside the bundle, as the built `dist` of this workspace. Two entries: an ES module
 * (`app.mjs`, openai bundled in and handed to `instrument()`), and a CommonJS one (`app.cjs`, openai external and
 * required after `instrument()`). Each bundle runs with the app's node_modules beside it (the instrumentor, loaded by
 * name when `instrument()` runs) against a local OTLP receiver and the OpenAI stand-in, and sends one LLM span.
 *
 * The app is laid out in a temporary folder with llmops's packages copied in, not linked: webpack writes
 * `import.meta.url` into the bundle at build time, so the bundle knows the path of core's `dist` on the machine that
 * built it, and the last test puts another release of core at that path before running the bundle.
 */

const fixture = join(repo, "test", "fixtures", "webpack-app");
const temporary = mkdtempSync(join(tmpdir(), "llmops-webpack-"));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** webpack runs on the Node running jest; the bundles run on it and on each binary in `LLMOPS_TEST_NODE_BINARIES`. */
const nodes = nodeBinaries();
const buildNode = nodes[0]!;

/** The packages of the app, linked from the fixture's node_modules, and the dependencies of the llmops packages copied in. */
const LINKED = ["openai", "@opentelemetry/api", "@arizeai/openinference-instrumentation-openai", "@llmops-internal/stand-ins"];
const COPIED = { "@llmops/core": join(repo, "packages", "core"), "@llmops/platform-arize": join(repo, "packages", "platform-arize") };

function link(folder: string, name: string, from: string): void {
  const target = join(folder, "node_modules", name);
  mkdirSync(dirname(target), { recursive: true });
  rmSync(target, { recursive: true, force: true });
  symlinkSync(realpathSync(join(from, "node_modules", name)), target, "dir");
}

/** Lays out the app in a new folder, bundles both entries there with webpack, and returns the folder and webpack's warnings. */
async function buildApp(name: string): Promise<{ folder: string; warnings: string[] }> {
  const folder = join(temporary, name);
  mkdirSync(join(folder, "node_modules"), { recursive: true });
  for (const file of ["app.mjs", "app.cjs", "llmops.yaml"]) copyFileSync(join(fixture, file), join(folder, file));
  writeFileSync(
    join(folder, "package.json"),
    `${JSON.stringify({ name: "webpack-built-app", private: true, dependencies: Object.fromEntries([...LINKED, ...Object.keys(COPIED)].map((dependency) => [dependency, "*"])) }, null, 2)}\n`,
  );
  for (const dependency of LINKED) link(folder, dependency, fixture);
  for (const [packageName, directory] of Object.entries(COPIED)) {
    const copy = join(folder, "node_modules", packageName);
    mkdirSync(copy, { recursive: true });
    copyFileSync(join(directory, "package.json"), join(copy, "package.json"));
    cpSync(join(directory, "dist"), join(copy, "dist"), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) link(folder, dependency, directory);
  }
  const build = await runOrThrow("webpack build", buildNode.path, [join(fixture, "build.cjs"), folder], { cwd: fixture, env: cleanEnvironment() });
  return { folder, warnings: build.stdout.split("\n").filter((line) => line.startsWith("warning: ")) };
}

/** Exit 0, the instrumentor's report, one LLM span from the OpenAI instrumentor for the one call, a clean shutdown. */
function expectOneLlmSpan(run: ExampleRun, instrumented: readonly string[]): void {
  if (run.code !== 0 || run.summary === undefined) throw new Error(`The bundle did not finish cleanly: ${describeRun(run)}`);
  expect(run.stderr).not.toMatch(/could not create its TracerProvider|not installed|\(node:\d+\) \w*Warning/);
  expect(run.summary).toEqual(expect.objectContaining({ requests: 1, instrumented, shutdown: { ok: true, timedOut: false } }));
  expect(llmSpansPerPrompt(run.spans, run.summary.prompts)).toEqual({ [run.summary.prompts[0]!]: 1 });
  const [span] = llmSpans(run.spans);
  expect(span?.scope).toBe(OPENAI_INSTRUMENTOR_SCOPE);
  expect(span?.attributes["llm.model_name"]).toEqual(expect.stringContaining("gpt-4o-mini"));
}

let built: Promise<{ folder: string; warnings: string[] }>;
let builtForAnotherRelease: Promise<string>;
beforeAll(() => {
  built = buildApp("app");
  builtForAnotherRelease = buildApp("another-release").then(({ folder }) => {
    // What `npm install` of another release would leave at the build machine's path: its package.json, and SDK files
    // that do not go with the core code inside the bundle (here, ones that fail loudly when they run).
    const core = join(folder, "node_modules", "@llmops", "core");
    const manifest = JSON.parse(readFileSync(join(core, "package.json"), "utf8")) as { version: string };
    writeFileSync(join(core, "package.json"), JSON.stringify({ ...manifest, version: `${manifest.version}-another` }));
    for (const file of ["otel.cjs", "otel-exporters.cjs"]) writeFileSync(join(core, "dist", "vendor", file), 'throw new Error("the SDK file of another @llmops/core release ran");\n');
    return folder;
  });
  // Awaited by each test: a failed build fails them with its output.
  built.catch(() => undefined);
  builtForAnotherRelease.catch(() => undefined);
});

it("webpack bundles llmops with no warning about createRequire", async () => {
  const { warnings } = await built;
  expect(warnings.filter((warning) => warning.includes("createRequire"))).toEqual([]);
}, 120_000);

describe.each(nodes.map((node) => [node.version, node] as const))("an app bundled by webpack 5, run on Node %s", (_version, node: NodeBinary) => {
  it("the ES module entry (openai bundled in, handed to instrument()): tracing on, one LLM span", async () => {
    const { folder } = await built;
    expectOneLlmSpan(await runExample({ node, example: "webpack-app", cwd: folder, args: [join("dist-esm", "main.js")] }), ["openai"]);
  }, 120_000);

  it("the CommonJS entry (openai external, required after instrument()): tracing on, one LLM span", async () => {
    const { folder } = await built;
    // openai loads after instrument(): the report at that time says "waiting", the require hook patches it later.
    expectOneLlmSpan(await runExample({ node, example: "webpack-app", cwd: folder, args: [join("dist-cjs", "main.js")] }), []);
  }, 120_000);

  it("another release of core at the path the bundle was built from: the bundle runs its own SDK, never that release's", async () => {
    const folder = await builtForAnotherRelease;
    const run = await runExample({ node, example: "webpack-app", cwd: folder, args: [join("dist-esm", "main.js")] });
    expect(run.stderr).not.toContain("another @llmops/core release");
    expectOneLlmSpan(run, ["openai"]);
  }, 120_000);
});
