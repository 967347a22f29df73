import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatCost } from "@llmops/core";
import { costReport, formatCostReport, readSpanLines } from "../src/cli/trace-costs";
import type { CostSpanLine } from "../src/cli/trace-costs";

const span = (traceId: string, spanId: string, parentSpanId: string | null, attributes: Record<string, unknown>): CostSpanLine => ({ traceId, spanId, parentSpanId, attributes });
const llm = (cost: number | undefined, session: string, user: string, extra: Record<string, unknown> = {}) => ({
  "openinference.span.kind": "LLM",
  "llm.model_name": "gpt-4o",
  "llm.token_count.prompt": 10,
  ...(cost === undefined ? {} : { "llm.cost.total": cost }),
  "session.id": session,
  "user.id": user,
  ...extra,
});

describe("llmops traces: cost by session and user", () => {
  const spans = [
    // Trace 1: an agent carrying its two calls' sum; counted once.
    span("t1", "a", null, { "openinference.span.kind": "AGENT", "llm.cost.total": 0.03, "session.id": "s1", "user.id": "ada" }),
    span("t1", "b", "a", llm(0.01, "s1", "ada")),
    span("t1", "c", "a", llm(0.02, "s1", "ada")),
    // Trace 2: a call without a parent cost (a root without roll-up), another session, same user.
    span("t2", "d", null, { "openinference.span.kind": "CHAIN", "session.id": "s2", "user.id": "ada" }),
    span("t2", "e", "d", llm(0.5, "s2", "ada")),
    // Trace 3: outside any session or user, plus an unpriced call.
    span("t3", "f", null, llm(0.25, "", "")),
    span("t3", "g", "f", llm(undefined, "", "", { "llm.model_name": "mystery" })),
  ];

  it("adds each branch's highest cost once, per session and per user, and lists unpriced models", () => {
    const report = costReport(spans);
    expect(report.traces).toBe(3);
    expect(report.total.USD).toBeCloseTo(0.78, 12);
    expect(report.bySession.map((row) => [row.key, row.traces, row.llmCalls, Number(row.cost.USD?.toFixed(6))])).toEqual([
      ["s2", 1, 1, 0.5],
      ["(none)", 1, 1, 0.25],
      ["s1", 1, 2, 0.03],
    ]);
    expect(report.byUser.map((row) => [row.key, row.traces, Number(row.cost.USD?.toFixed(6))])).toEqual([
      ["ada", 2, 0.53],
      ["(none)", 1, 0.25],
    ]);
    expect(report.unpriced).toEqual({ mystery: 1 });
    const text = formatCostReport(report, "2 files").join("\n");
    expect(text).toContain("3 traces in 2 files; total cost $0.78");
    expect(text).toMatch(/^s1\s+1\s+2\s+\$0\.03$/m);
    expect(text).toContain("LLM spans with no price (not in the totals; add them under pricing.models): mystery (1)");
  });

  it("reads every .jsonl file of a folder, skipping lines that are not spans", async () => {
    const directory = mkdtempSync(join(tmpdir(), "llmops-traces-"));
    writeFileSync(
      join(directory, "2025-01-30.jsonl"),
      `${spans
        .slice(0, 3)
        .map((line) => JSON.stringify(line))
        .join("\n")}\n`,
    );
    writeFileSync(
      join(directory, "2025-01-31.jsonl"),
      `${spans
        .slice(3)
        .map((line) => JSON.stringify(line))
        .join("\n")}\nnot json\n{"other":1}\n`,
    );
    writeFileSync(join(directory, "notes.txt"), "ignored");
    const read = await readSpanLines(directory);
    expect(read).toEqual({ spans, files: 2, skipped: 2 });
  });

  it("formats costs for people", () => {
    expect(formatCost(0.0035)).toBe("$0.0035");
    expect(formatCost(0.003542)).toBe("$0.00354");
    expect(formatCost(0.0000066)).toBe("$0.0000066");
    expect(formatCost(12.3456)).toBe("$12.35");
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(0.1, "EUR")).toBe("0.1 EUR");
  });
});
