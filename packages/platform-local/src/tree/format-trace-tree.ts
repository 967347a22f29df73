import { formatCost } from "@llmops/core";
import type { SpanRecord } from "../export/span-record";

/** OpenInference attribute names read for each line. */
const SPAN_KIND = "openinference.span.kind";
const MODEL_NAME = "llm.model_name";
const EMBEDDING_MODEL_NAME = "embedding.model_name";
const PROMPT_TOKENS = "llm.token_count.prompt";
const COMPLETION_TOKENS = "llm.token_count.completion";
const TOTAL_TOKENS = "llm.token_count.total";
const SERVICE_NAME = "service.name";
const SESSION_ID = "session.id";
const USER_ID = "user.id";
/** The cost llmops's cost processor writes: on an LLM span its own, on a parent the sum of its descendants'. */
const COST_TOTAL = "llm.cost.total";
const COST_CURRENCY = "llmops.cost.currency";

/** The fields of a span the tree needs: a {@link SpanRecord} or anything shaped like its subset. */
export type TreeSpan = Pick<SpanRecord, "traceId" | "spanId" | "parentSpanId" | "name" | "kind" | "startTime" | "durationMs" | "status" | "attributes"> & Partial<Pick<SpanRecord, "resource">>;

/**
 * Renders spans as one tree per trace, children indented under their parents (`├─`, `└─`), siblings in start order.
 * The header names the trace, the service, the session and user of the root span (`session.id`, `user.id`) when it
 * has them, the span count and the trace's cost (the roots' `llm.cost.total`, or their descendants' where a root has
 * none). Each line holds the span name, its OpenInference kind (`openinference.span.kind`, e.g. `LLM`, `CHAIN`) or else its
 * OpenTelemetry kind, the duration, the token counts (`prompt → completion (total)`), the model, the cost
 * (`llm.cost.total`, in US dollars unless `llmops.cost.currency` says otherwise) and, on error,
 * `✗` with the status message. A span whose parent is not among `spans` is shown as a root. A pure function.
 *
 * @param spans - ended spans, of one trace or several, in any order
 * @returns the text, ending with a newline; empty for no spans
 *
 * @example
 * ```ts
 * import { formatTraceTree } from "@llmops/platform-local";
 *
 * process.stdout.write(formatTraceTree(spans));
 * // trace 4bf92f3577b34da6a3ce929d0e0e4736 · quickstart · 2 spans · cost $0.0000066
 * // └─ answer · CHAIN · 412 ms · $0.0000066
 * //    └─ OpenAI Chat Completions · LLM · 398 ms · tokens 12 → 8 (20) · gpt-4o-mini · $0.0000066
 * ```
 */
export function formatTraceTree(spans: readonly TreeSpan[]): string {
  const traces = new Map<string, TreeSpan[]>();
  for (const span of spans) {
    const list = traces.get(span.traceId) ?? [];
    list.push(span);
    traces.set(span.traceId, list);
  }
  const ordered = [...traces.values()].sort((a, b) => compareStart(earliest(a), earliest(b)));
  return ordered.map(formatOneTrace).join("");
}

function formatOneTrace(spans: readonly TreeSpan[]): string {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, TreeSpan[]>();
  const roots: TreeSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId === null || span.parentSpanId === undefined || !ids.has(span.parentSpanId) || span.parentSpanId === span.spanId) {
      roots.push(span);
      continue;
    }
    const list = children.get(span.parentSpanId) ?? [];
    list.push(span);
    children.set(span.parentSpanId, list);
  }
  for (const list of children.values()) list.sort(compareStart);
  roots.sort(compareStart);

  const first = roots[0] ?? spans[0];
  const service = first?.resource?.[SERVICE_NAME];
  // The session and user of `withSession()`/`withUser()`, as the root span carries them.
  const session = text(first?.attributes?.[SESSION_ID]);
  const user = text(first?.attributes?.[USER_ID]);
  const header = [
    `trace ${first?.traceId ?? ""}`,
    ...(typeof service === "string" && service !== "" ? [service] : []),
    ...(session !== undefined ? [`session ${session}`] : []),
    ...(user !== undefined ? [`user ${user}`] : []),
    `${spans.length} ${spans.length === 1 ? "span" : "spans"}`,
  ];
  const traceCost = costOfTrace(roots, children);
  if (traceCost !== undefined) header.push(`cost ${traceCost}`);
  const lines = [header.join(" · ")];
  const visited = new Set<string>();
  const walk = (span: TreeSpan, prefix: string, last: boolean): void => {
    if (visited.has(span.spanId)) return; // a malformed parent cycle: print each span once
    visited.add(span.spanId);
    lines.push(`${prefix}${last ? "└─ " : "├─ "}${describe(span)}`);
    const own = children.get(span.spanId) ?? [];
    own.forEach((child, index) => walk(child, `${prefix}${last ? "   " : "│  "}`, index === own.length - 1));
  };
  roots.forEach((root, index) => walk(root, "", index === roots.length - 1));
  // Spans caught in a cycle have no root above them: show them rather than drop them.
  const rest = spans.filter((span) => !visited.has(span.spanId)).sort(compareStart);
  rest.forEach((span, index) => walk(span, "", index === rest.length - 1));
  return `${lines.join("\n")}\n`;
}

/** One line: name · kind · duration · tokens · model · ✗ message. */
function describe(span: TreeSpan): string {
  const attributes = span.attributes ?? {};
  const parts = [span.name, kindOf(span), formatDuration(span.durationMs)];
  const tokens = formatTokens(attributes);
  if (tokens !== undefined) parts.push(tokens);
  const model = text(attributes[MODEL_NAME]) ?? text(attributes[EMBEDDING_MODEL_NAME]);
  if (model !== undefined) parts.push(model);
  const cost = count(attributes[COST_TOTAL]);
  if (cost !== undefined) parts.push(formatCost(cost, text(attributes[COST_CURRENCY])));
  if (span.status?.code === "ERROR") parts.push(`✗ ${span.status.message !== undefined && span.status.message !== "" ? span.status.message : "error"}`);
  return parts.join(" · ");
}

/** The trace's cost: each root's own total, or its subtree's where it has none; undefined when no span has a cost. */
function costOfTrace(roots: readonly TreeSpan[], children: ReadonlyMap<string, TreeSpan[]>): string | undefined {
  let currency: string | undefined;
  const seen = new Set<string>();
  const subtree = (span: TreeSpan): number | undefined => {
    if (seen.has(span.spanId)) return undefined;
    seen.add(span.spanId);
    const own = count(span.attributes?.[COST_TOTAL]);
    if (own !== undefined) {
      currency ??= text(span.attributes?.[COST_CURRENCY]);
      return own;
    }
    let sum: number | undefined;
    for (const child of children.get(span.spanId) ?? []) {
      const cost = subtree(child);
      if (cost !== undefined) sum = (sum ?? 0) + cost;
    }
    return sum;
  };
  let total: number | undefined;
  for (const root of roots) {
    const cost = subtree(root);
    if (cost !== undefined) total = (total ?? 0) + cost;
  }
  return total === undefined ? undefined : formatCost(total, currency);
}

function kindOf(span: TreeSpan): string {
  return text(span.attributes?.[SPAN_KIND])?.toUpperCase() ?? span.kind;
}

/** `12 → 8 (20)`; the total is computed when only prompt and completion are known. */
function formatTokens(attributes: Readonly<Record<string, unknown>>): string | undefined {
  const prompt = count(attributes[PROMPT_TOKENS]);
  const completion = count(attributes[COMPLETION_TOKENS]);
  const total = count(attributes[TOTAL_TOKENS]) ?? (prompt !== undefined && completion !== undefined ? prompt + completion : undefined);
  if (prompt === undefined && completion === undefined && total === undefined) return undefined;
  const flow = prompt !== undefined && completion !== undefined ? `${prompt} → ${completion}` : prompt !== undefined ? `${prompt}` : completion !== undefined ? `→ ${completion}` : "";
  const sum = total === undefined ? "" : flow === "" ? `(${total})` : ` (${total})`;
  return `tokens ${flow}${sum}`;
}

/** Milliseconds: one decimal below 10 ms, whole numbers above. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return "? ms";
  return milliseconds < 10 ? `${milliseconds.toFixed(1)} ms` : `${Math.round(milliseconds)} ms`;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function earliest(spans: readonly TreeSpan[]): TreeSpan {
  return spans.reduce((a, b) => (compareStart(a, b) <= 0 ? a : b));
}

function compareStart(a: TreeSpan, b: TreeSpan): number {
  return a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0;
}
