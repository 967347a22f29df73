import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { formatCost } from "../helpers/format-cost";

/** The attributes read from each span line of the local platform's JSONL files. */
const SPAN_KIND = "openinference.span.kind";
const MODEL_NAME = "llm.model_name";
const PROMPT_TOKENS = "llm.token_count.prompt";
const COMPLETION_TOKENS = "llm.token_count.completion";
const COST_TOTAL = "llm.cost.total";
const COST_CURRENCY = "llmops.cost.currency";
const SESSION_ID = "session.id";
const USER_ID = "user.id";

/** The part of a span line this report reads (the local platform's `SpanRecord`). */
export interface CostSpanLine {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | null;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** Cost of one session or user. */
export interface CostRow {
  /** The session or user id; `(none)` for spans outside `withSession()`/`withUser()`. */
  readonly key: string;
  readonly traces: number;
  /** LLM spans with a cost. */
  readonly llmCalls: number;
  /** Currency → cost. */
  readonly cost: Readonly<Record<string, number>>;
}

/** What {@link costReport} finds. */
export interface CostReport {
  readonly traces: number;
  readonly bySession: readonly CostRow[];
  readonly byUser: readonly CostRow[];
  /** Currency → cost of all traces. */
  readonly total: Readonly<Record<string, number>>;
  /** Model → LLM spans that counted tokens and carry no cost (no price known when they were recorded). */
  readonly unpriced: Readonly<Record<string, number>>;
}

const NONE = "(none)";

interface Accumulator {
  readonly traces: Set<string>;
  llmCalls: number;
  readonly cost: Record<string, number>;
}

/**
 * Adds up cost by session and by user. Parents carry the sum of their descendants' cost, so only the highest costed
 * span of each branch counts (a costed span whose ancestors in the files carry no cost): nothing is counted twice. Each
 * such span counts for its own `session.id` and `user.id`.
 *
 * @example
 * ```ts
 * const report = costReport([{ traceId: "t", spanId: "a", attributes: { "llm.cost.total": 0.01, "session.id": "s" } }]);
 * report.bySession[0]; // { key: "s", traces: 1, llmCalls: 0, cost: { USD: 0.01 } }
 * ```
 */
export function costReport(spans: Iterable<CostSpanLine>): CostReport {
  const byId = new Map<string, CostSpanLine>();
  const traceIds = new Set<string>();
  for (const span of spans) {
    byId.set(`${span.traceId}/${span.spanId}`, span);
    traceIds.add(span.traceId);
  }
  const sessions = new Map<string, Accumulator>();
  const users = new Map<string, Accumulator>();
  const total: Record<string, number> = {};
  const unpriced: Record<string, number> = {};
  const costOf = (span: CostSpanLine): number | undefined => {
    const value = span.attributes?.[COST_TOTAL];
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  };
  const add = (table: Map<string, Accumulator>, key: string, traceId: string, currency: string, cost: number, calls: number): void => {
    const row = table.get(key) ?? { traces: new Set<string>(), llmCalls: 0, cost: {} };
    row.traces.add(traceId);
    row.llmCalls += calls;
    row.cost[currency] = (row.cost[currency] ?? 0) + cost;
    table.set(key, row);
  };
  for (const span of byId.values()) {
    const attributes = span.attributes ?? {};
    const isLlm = attributes[SPAN_KIND] === "LLM";
    const cost = costOf(span);
    if (cost === undefined) {
      const model = attributes[MODEL_NAME];
      const counted = typeof attributes[PROMPT_TOKENS] === "number" || typeof attributes[COMPLETION_TOKENS] === "number";
      if (isLlm && counted && typeof model === "string") unpriced[model] = (unpriced[model] ?? 0) + 1;
      continue;
    }
    if (hasCostedAncestor(span, byId, costOf)) {
      // Counted in that ancestor's sum; still one LLM call of its session and user.
      if (isLlm) {
        add(sessions, text(attributes[SESSION_ID]), span.traceId, currencyOf(attributes), 0, 1);
        add(users, text(attributes[USER_ID]), span.traceId, currencyOf(attributes), 0, 1);
      }
      continue;
    }
    const currency = currencyOf(attributes);
    total[currency] = (total[currency] ?? 0) + cost;
    add(sessions, text(attributes[SESSION_ID]), span.traceId, currency, cost, isLlm ? 1 : 0);
    add(users, text(attributes[USER_ID]), span.traceId, currency, cost, isLlm ? 1 : 0);
  }
  const rows = (table: Map<string, Accumulator>): CostRow[] =>
    [...table.entries()].map(([key, row]) => ({ key, traces: row.traces.size, llmCalls: row.llmCalls, cost: row.cost })).sort((a, b) => sum(b.cost) - sum(a.cost) || a.key.localeCompare(b.key));
  return { traces: traceIds.size, bySession: rows(sessions), byUser: rows(users), total, unpriced };
}

function hasCostedAncestor(span: CostSpanLine, byId: ReadonlyMap<string, CostSpanLine>, costOf: (span: CostSpanLine) => number | undefined): boolean {
  let parentId = span.parentSpanId;
  for (let depth = 0; depth < 1_000 && typeof parentId === "string"; depth++) {
    const parent = byId.get(`${span.traceId}/${parentId}`);
    if (parent === undefined) return false;
    if (costOf(parent) !== undefined) return true;
    parentId = parent.parentSpanId;
  }
  return false;
}

function text(value: unknown): string {
  return typeof value === "string" && value !== "" ? value : NONE;
}

function currencyOf(attributes: Readonly<Record<string, unknown>>): string {
  const currency = attributes[COST_CURRENCY];
  return typeof currency === "string" && currency !== "" ? currency : "USD";
}

function sum(cost: Readonly<Record<string, number>>): number {
  return Object.values(cost).reduce((a, b) => a + b, 0);
}

/** `$0.0035` for US dollars, `0.0035 EUR` otherwise; several currencies joined with ` + `. */
export function formatCosts(cost: Readonly<Record<string, number>>): string {
  const entries = Object.entries(cost);
  if (entries.length === 0) return "-";
  return entries.map(([currency, value]) => formatCost(value, currency)).join(" + ");
}

/** The report as the CLI prints it: a table by session, one by user, the total and the unpriced models. */
export function formatCostReport(report: CostReport, source: string): string[] {
  const lines = [`${report.traces} ${report.traces === 1 ? "trace" : "traces"} in ${source}; total cost ${formatCosts(report.total)}`];
  for (const [title, rows] of [
    ["SESSION", report.bySession],
    ["USER", report.byUser],
  ] as const) {
    lines.push("");
    lines.push(...table([[title, "TRACES", "LLM CALLS", "COST"], ...rows.map((row) => [row.key, String(row.traces), String(row.llmCalls), formatCosts(row.cost)])]));
  }
  const unpriced = Object.entries(report.unpriced);
  if (unpriced.length > 0) {
    lines.push("");
    lines.push(`LLM spans with no price (not in the totals; add them under pricing.models): ${unpriced.map(([model, count]) => `${model} (${count})`).join(", ")}`);
  }
  return lines;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * Reads every `*.jsonl` file of a folder (the local platform's traces), line by line; lines that are not a span are
 * skipped and counted.
 */
export async function readSpanLines(directory: string): Promise<{ spans: CostSpanLine[]; files: number; skipped: number }> {
  const names = (await readdir(directory)).filter((name) => name.endsWith(".jsonl")).sort();
  const spans: CostSpanLine[] = [];
  let skipped = 0;
  for (const name of names) {
    const lines = createInterface({ input: createReadStream(join(directory, name), "utf8"), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      try {
        const parsed = JSON.parse(line) as Partial<CostSpanLine>;
        if (typeof parsed.traceId === "string" && typeof parsed.spanId === "string") spans.push(parsed as CostSpanLine);
        else skipped++;
      } catch {
        skipped++;
      }
    }
  }
  return { spans, files: names.length, skipped };
}
