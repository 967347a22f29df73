/**
 * The OpenInference attribute names llmops's own spans carry, spelled out here rather than taken from
 * `@arizeai/openinference-semantic-conventions`: core stays free of that dependency, and `import "@llmops/core"`
 * loads nothing for them. The values are the ones OpenInference's instrumentors write, so every platform that reads
 * OpenInference (Phoenix, Arize AX, MLflow) shows llmops's spans the way it shows theirs.
 */
export const SPAN_KIND = "openinference.span.kind";
export const INPUT_VALUE = "input.value";
export const INPUT_MIME_TYPE = "input.mime_type";
export const OUTPUT_VALUE = "output.value";
export const OUTPUT_MIME_TYPE = "output.mime_type";
export const METADATA = "metadata";

/** The MIME types of `input.value` and `output.value`. */
export const JSON_MIME_TYPE = "application/json";
export const TEXT_MIME_TYPE = "text/plain";

/**
 * The kind of work a span stands for, as OpenInference names it: `chain` (a step or workflow, the default), `agent`,
 * `tool`, `retriever`, `llm`, `embedding`, `reranker`, `guardrail`, `evaluator`. The span carries it upper-case in
 * `openinference.span.kind`, as OpenInference does.
 *
 * @example
 * ```ts
 * import { trace } from "@llmops/core";
 * import type { SpanKind } from "@llmops/core";
 * const kind: SpanKind = "tool";
 * const search = trace(async (query: string) => [`result for ${query}`], { kind });
 * ```
 */
export type SpanKind = "chain" | "agent" | "tool" | "retriever" | "llm" | "embedding" | "reranker" | "guardrail" | "evaluator";

/** Every span kind, for validating an option given from JavaScript. */
export const SPAN_KINDS: readonly SpanKind[] = ["chain", "agent", "tool", "retriever", "llm", "embedding", "reranker", "guardrail", "evaluator"];

/** The value of `openinference.span.kind` for a kind; an unknown kind falls back to `CHAIN`. */
export function spanKindValue(kind: unknown): string {
  return typeof kind === "string" && (SPAN_KINDS as readonly string[]).includes(kind) ? kind.toUpperCase() : "CHAIN";
}
