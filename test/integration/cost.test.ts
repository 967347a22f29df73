import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { cleanEnvironment, runNode } from "@llmops-internal/test-support";
import { examplesDirectory, OPENAI_INSTRUMENTOR_SCOPE } from "./support/examples";
import { repo } from "./support/pack";

/**
 * Cost with the built `@llmops/core` and `@llmops/platform-local`, the real `openai` client and the real OpenInference
 * OpenAI instrumentor, against the OpenAI stand-in: the LLM span's `llm.cost.*` equals the figure of the configured
 * price and the span's token counts, the agent around it carries the sum, and the built `llmops traces` adds it up by
 * session and user from the JSONL files.
 */

const quickstart = join(examplesDirectory, "quickstart");
const cli = join(repo, "packages", "core", "bin", "llmops.cjs");
const afterAllRemove: string[] = [];
afterAll(() => {
  for (const folder of afterAllRemove) rmSync(folder, { recursive: true, force: true });
});

interface SpanLine {
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly scope: { readonly name: string };
}

describe("cost on real openai calls, built packages", () => {
  it("prices each call from pricing.models, adds the calls up on the agent, and llmops traces reports it by session and user", async () => {
    const app = `
      import * as openai from "openai";
      import { getPlatform, trace, withSession, withUser } from "@llmops/core";
      import { startOpenAIStandIn } from "@llmops-internal/stand-ins";
      const standIn = await startOpenAIStandIn();
      const tracing = await getPlatform("local", { appRoot: process.cwd() }).instrument({
        appRoot: process.cwd(),
        modules: { openai },
        overrides: {
          local: { directory: process.env.TRACES, print_tree: false },
          // A dated snapshot, priced by its family's configured entry.
          pricing: { models: { "gpt-4o": { input: 2, output: 8, cached_input: 1 } } },
        },
      });
      const client = new openai.OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
      const ask = (content) => client.chat.completions.create({ model: "gpt-4o-2024-08-06", messages: [{ role: "user", content }] });
      const agent = trace(async () => { await ask("first question"); await ask("a second, longer question about the weather"); }, { name: "agent", kind: "agent" });
      await withSession("s-cost", () => withUser("u-cost", () => agent()));
      await client.chat.completions.create({ model: "unpriced-model-1", messages: [{ role: "user", content: "hi" }] });
      await tracing.shutdown();
      await standIn.close();
      console.log("STATS " + JSON.stringify(tracing.stats()));
    `;
    const traces = mkdtempSync(join(tmpdir(), "llmops-cost-"));
    afterAllRemove.push(traces);
    const run = await runNode(["--input-type=module", "--eval", app], { cwd: quickstart, env: { ...cleanEnvironment(), TRACES: traces }, timeoutMillis: 60_000 });
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const stats = JSON.parse(/^STATS (.*)$/m.exec(run.stdout)?.[1] ?? "null") as { unpricedModels: Record<string, number>; spansSampledOut: number };
    expect(stats.unpricedModels).toEqual({ "unpriced-model-1": 1 });
    expect(stats.spansSampledOut).toBe(0);

    const spans = readdirSync(traces)
      .filter((name) => name.endsWith(".jsonl"))
      .flatMap((file) => readFileSync(join(traces, file), "utf8").trim().split("\n"))
      .map((line) => JSON.parse(line) as SpanLine);
    const calls = spans.filter((span) => span.scope.name === OPENAI_INSTRUMENTOR_SCOPE && span.attributes["llm.model_name"] === "gpt-4o-2024-08-06");
    expect(calls).toHaveLength(2);
    let sum = 0;
    for (const call of calls) {
      const prompt = call.attributes["llm.token_count.prompt"] as number;
      const completion = call.attributes["llm.token_count.completion"] as number;
      expect(prompt).toBeGreaterThan(0);
      expect(completion).toBeGreaterThan(0);
      const expected = (prompt * 2 + completion * 8) / 1e6;
      expect(call.attributes["llm.cost.prompt"]).toBeCloseTo((prompt * 2) / 1e6, 15);
      expect(call.attributes["llm.cost.completion"]).toBeCloseTo((completion * 8) / 1e6, 15);
      expect(call.attributes["llm.cost.total"]).toBeCloseTo(expected, 15);
      sum += expected;
    }
    const agent = spans.find((span) => span.name === "agent");
    expect(agent?.attributes["llm.cost.total"]).toBeCloseTo(sum, 15);
    const unpriced = spans.find((span) => span.attributes["llm.model_name"] === "unpriced-model-1");
    expect(Object.keys(unpriced?.attributes ?? {}).filter((key) => key.startsWith("llm.cost"))).toEqual([]);

    const report = spawnSync(process.execPath, [cli, "traces", "--dir", traces], { cwd: quickstart, encoding: "utf8", env: cleanEnvironment() });
    expect([report.status, report.stderr]).toEqual([0, ""]);
    const dollars = (value: number) => `$${value.toPrecision(3).replace(/(\.\d*?)0+$/, "$1")}`;
    expect(report.stdout).toContain(`2 traces in 1 file of ${traces}; total cost ${dollars(sum)}`);
    expect(report.stdout).toMatch(new RegExp(`^s-cost\\s+1\\s+2\\s+\\${dollars(sum)}$`, "m"));
    expect(report.stdout).toMatch(new RegExp(`^u-cost\\s+1\\s+2\\s+\\${dollars(sum)}$`, "m"));
    expect(report.stdout).toContain("LLM spans with no price (not in the totals; add them under pricing.models): unpriced-model-1 (1)");
  }, 90_000);
});
