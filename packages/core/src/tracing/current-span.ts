import type { Attributes, Span } from "@opentelemetry/api";
import { messageOf } from "../errors/error-message";
import { INPUT_MIME_TYPE, INPUT_VALUE, METADATA, OUTPUT_MIME_TYPE, OUTPUT_VALUE } from "./attributes";
import { activeTracer } from "./active-tracer";
import { serializeValue } from "./serialize";

/**
 * The active span, as `getCurrentSpan()` returns it: every method sets something on the span that is running now and
 * returns the same object, so calls chain. When tracing is off, or no span is active, every method does nothing.
 *
 * @example
 * ```ts
 * import { getCurrentSpan } from "@llmops/core";
 * getCurrentSpan().setAttributes({ "app.cache_hit": true }).setMetadata({ plan: "pro" });
 * ```
 */
export interface CurrentSpan {
  /** False when there is no span to write to (tracing off, or outside every span). */
  readonly recording: boolean;
  /** Sets attributes (strings, numbers, booleans or arrays of one of them). */
  setAttributes(attributes: Attributes): CurrentSpan;
  /** Merges into the span's OpenInference `metadata` (a JSON object): later keys replace earlier ones. */
  setMetadata(metadata: Record<string, unknown>): CurrentSpan;
  /** Sets the input (`input.value` and its MIME type), as `trace()` records arguments. */
  setInput(value: unknown): CurrentSpan;
  /** Sets the output (`output.value` and its MIME type); the traced call's own result, recorded at its end, replaces it. */
  setOutput(value: unknown): CurrentSpan;
  /** Sets the status: `"ok"`, or `"error"` with a message. */
  setStatus(status: "ok" | "error", message?: string): CurrentSpan;
  /** Records an error as an exception event (the status is not changed). */
  recordException(error: unknown): CurrentSpan;
}

/**
 * The `metadata` the span already carries (set as it started, by a span processor applying the context's metadata,
 * say), so that `setMetadata()` adds to it rather than replacing it. Read from the SDK span's attributes, when it
 * exposes them; anything else starts empty.
 */
function startingMetadata(span: Span): Record<string, unknown> {
  const existing = (span as { attributes?: Attributes }).attributes?.[METADATA];
  if (typeof existing !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(existing);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Metadata set through {@link CurrentSpan.setMetadata}, per span, so that calls merge. */
const metadataOf = new WeakMap<Span, Record<string, unknown>>();

const NOOP: CurrentSpan = {
  recording: false,
  setAttributes: () => NOOP,
  setMetadata: () => NOOP,
  setInput: () => NOOP,
  setOutput: () => NOOP,
  setStatus: () => NOOP,
  recordException: () => NOOP,
};

/**
 * The span active where it is called (one of `trace()`, `withSpan()`, an instrumentor's, any OpenTelemetry span), to
 * set attributes, metadata, a status or an input/output after it started. Never throws; when tracing is off it returns
 * an object whose methods do nothing, and costs a property read.
 *
 * @returns the current span's helpers
 *
 * @example
 * ```ts
 * import { getCurrentSpan, trace } from "@llmops/core";
 * const handle = trace(async (request: { user: string }) => {
 *   getCurrentSpan().setMetadata({ user: request.user }).setInput({ redacted: true });
 *   return "done";
 * }, { kind: "agent" });
 * await handle({ user: "ada" });
 * ```
 */
export function getCurrentSpan(): CurrentSpan {
  const active = activeTracer();
  if (active === undefined) return NOOP;
  let span: Span | undefined;
  try {
    span = active.api.trace.getSpan(active.api.context.active());
  } catch {
    return NOOP;
  }
  if (span === undefined) return NOOP;
  const target = span;
  const { SpanStatusCode } = active.api;
  const helpers: CurrentSpan = {
    recording: true,
    setAttributes: (attributes) => guarded(() => target.setAttributes(attributes)),
    setMetadata: (metadata) =>
      guarded(() => {
        const merged = { ...(metadataOf.get(target) ?? startingMetadata(target)), ...metadata };
        metadataOf.set(target, merged);
        target.setAttribute(METADATA, serializeValue(merged).value);
      }),
    setInput: (value) =>
      guarded(() => {
        const input = serializeValue(value);
        target.setAttributes({ [INPUT_VALUE]: input.value, [INPUT_MIME_TYPE]: input.mimeType });
      }),
    setOutput: (value) =>
      guarded(() => {
        const output = serializeValue(value);
        target.setAttributes({ [OUTPUT_VALUE]: output.value, [OUTPUT_MIME_TYPE]: output.mimeType });
      }),
    setStatus: (status, message) =>
      guarded(() => target.setStatus(status === "error" ? { code: SpanStatusCode.ERROR, ...(message === undefined ? {} : { message: String(message) }) } : { code: SpanStatusCode.OK })),
    recordException: (error) => guarded(() => target.recordException(error instanceof Error ? error : messageOf(error))),
  };
  function guarded(action: () => void): CurrentSpan {
    try {
      action();
    } catch {
      // Whatever the arguments, a span helper never throws into the app.
    }
    return helpers;
  }
  return helpers;
}
