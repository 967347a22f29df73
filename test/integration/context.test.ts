import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, runNode } from "@llmops-internal/test-support";
import { examplesDirectory, OPENAI_INSTRUMENTOR_SCOPE } from "./support/examples";
import { repo } from "./support/pack";

/**
 * `withSession()`/`withUser()` of the built `@llmops/core` with the real `openai` client and the real OpenInference
 * OpenAI instrumentor, against the OpenAI stand-in, on the local platform: the quickstart (`pnpm demo`) and a small
 * app run from the quickstart's folder (its dependencies).
 */

const quickstart = join(examplesDirectory, "quickstart");
const afterAllRemove: string[] = [];
afterAll(() => {
  for (const folder of afterAllRemove) rmSync(folder, { recursive: true, force: true });
});

interface SpanLine {
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly scope: { readonly name: string };
}

describe("session and user context, built packages, real openai client", () => {
  it("the quickstart's spans, the OpenInference LLM spans included, all carry its session and user; the tree names them", async () => {
    const run = await runNode([join(quickstart, "index.mjs")], { cwd: repo, env: cleanEnvironment(), timeoutMillis: 60_000 });
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(/^trace [0-9a-f]{32} · quickstart · session quickstart-session · user demo-user · \d+ spans · cost \$[0-9.]+$/m);
    const written = /^Wrote (\d+) spans as JSON lines to (.+)$/m.exec(run.stdout);
    expect(written).not.toBeNull();
    const lines = readFileSync(join(repo, written?.[2] ?? ""), "utf8")
      .trim()
      .split("\n");
    const spans = lines.slice(-Number(written?.[1])).map((line) => JSON.parse(line) as SpanLine);
    const fromInstrumentor = spans.filter((span) => span.scope.name === OPENAI_INSTRUMENTOR_SCOPE);
    expect(fromInstrumentor.length).toBeGreaterThanOrEqual(4);
    for (const span of spans) expect([span.name, span.attributes["session.id"], span.attributes["user.id"]]).toEqual([span.name, "quickstart-session", "demo-user"]);
  }, 90_000);

  it("sets the context keys the OpenInference instrumentor's own openinference-core reads, and tag.tags as a list on its span", async () => {
    // Run as an ES module from the quickstart's folder: its imports resolve to the quickstart's dependencies.
    const app = `
      import { createRequire } from "node:module";
      import { context } from "@opentelemetry/api";
      import * as openai from "openai";
      import { getPlatform, withContext } from "@llmops/core";
      import { startOpenAIStandIn } from "@llmops-internal/stand-ins";
      const require = createRequire(import.meta.url);
      const fromInstrumentor = createRequire(require.resolve("@arizeai/openinference-instrumentation-openai"));
      const { getAttributesFromContext } = fromInstrumentor("@arizeai/openinference-core");
      const standIn = await startOpenAIStandIn();
      const tracing = await getPlatform("local", { appRoot: process.cwd() }).instrument({
        appRoot: process.cwd(),
        modules: { openai },
        // The quickstart's llmops.yaml is found; these win over it.
        overrides: { local: { directory: process.env.TRACES, print_tree: false } },
      });
      const client = new openai.OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
      const seen = await withContext({ sessionId: "s-7", userId: "u-7", metadata: { plan: "pro" }, tags: ["beta"] }, async () => {
        await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
        return getAttributesFromContext(context.active());
      });
      await tracing.shutdown();
      await standIn.close();
      console.log("SEEN " + JSON.stringify(seen));
    `;
    const traces = mkdtempSync(join(tmpdir(), "llmops-context-"));
    afterAllRemove.push(traces);
    const run = await runNode(["--input-type=module", "--eval", app], { cwd: quickstart, env: { ...cleanEnvironment(), TRACES: traces }, timeoutMillis: 60_000 });
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const seen = JSON.parse(/^SEEN (.*)$/m.exec(run.stdout)?.[1] ?? "null") as Record<string, unknown>;
    expect(seen).toEqual({ "session.id": "s-7", "user.id": "u-7", metadata: JSON.stringify({ plan: "pro" }), "tag.tags": JSON.stringify(["beta"]) });
    const files = readdirSync(traces).filter((name) => name.endsWith(".jsonl"));
    const spans = files.flatMap((file) =>
      readFileSync(join(traces, file), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as SpanLine),
    );
    const llm = spans.filter((span) => span.scope.name === OPENAI_INSTRUMENTOR_SCOPE);
    expect(llm).toHaveLength(1);
    expect(llm[0]?.attributes).toEqual(expect.objectContaining({ "session.id": "s-7", "user.id": "u-7", metadata: JSON.stringify({ plan: "pro" }), "tag.tags": ["beta"] }));
  }, 90_000);

  it("when tracing is off, the context functions run the function and load no OpenTelemetry module", async () => {
    const app = `
      const core = require("@llmops/core");
      const results = [core.withSession("s", () => 1), core.withUser("u", () => 2), core.withMetadata({ k: 1 }, () => 3), core.withTags(["t"], () => 4),
        core.withAttributes({ a: 1 }, () => 5), core.withContext({ sessionId: "s", tags: ["t"] }, () => 6)];
      const loaded = Object.keys(require.cache).filter((file) => file.includes("@opentelemetry"));
      console.log("RESULT " + JSON.stringify({ results, loaded }));
    `;
    const run = await runNode(["--eval", app], { cwd: quickstart, env: cleanEnvironment(), timeoutMillis: 30_000 });
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(/^RESULT (.*)$/m.exec(run.stdout)?.[1] ?? "null")).toEqual({ results: [1, 2, 3, 4, 5, 6], loaded: [] });
  }, 60_000);

  it("applies the context when tracing was started by the other module format's copy of core (CommonJS register, ES module app)", async () => {
    const app = `
      import { createRequire } from "node:module";
      import { trace } from "@opentelemetry/api";
      import { withSession } from "@llmops/core";
      const commonJsCore = createRequire(import.meta.url)("@llmops/core");
      const tracing = await commonJsCore.getPlatform("local", { appRoot: process.cwd() }).instrument({
        appRoot: process.cwd(),
        overrides: { local: { directory: process.env.TRACES, print_tree: false }, instrumentation: { openai: false } },
      });
      withSession("across-copies", () => trace.getTracer("x").startSpan("app span").end());
      await tracing.shutdown();
    `;
    const traces = mkdtempSync(join(tmpdir(), "llmops-context-"));
    afterAllRemove.push(traces);
    const run = await runNode(["--input-type=module", "--eval", app], { cwd: quickstart, env: { ...cleanEnvironment(), TRACES: traces }, timeoutMillis: 60_000 });
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const spans = readdirSync(traces)
      .filter((name) => name.endsWith(".jsonl"))
      .flatMap((file) => readFileSync(join(traces, file), "utf8").trim().split("\n"))
      .map((line) => JSON.parse(line) as SpanLine);
    expect(spans.map((span) => [span.name, span.attributes["session.id"]])).toEqual([["app span", "across-copies"]]);
  }, 60_000);
});
