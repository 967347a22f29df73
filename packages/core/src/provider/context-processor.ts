import type { Context } from "@opentelemetry/api";
import type { Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SPAN_CONTEXT_KEY, TAG_TAGS } from "../internal/span-context";
import type { SpanContextValue } from "../internal/span-context";

/**
 * Writes the session, user, metadata, tags and attributes of `withSession()`, `withContext()`... on every span as it
 * starts, whoever started it: an OpenInference instrumentor (which reads its own context keys and sets the same
 * values), another instrumentation, or the app's own tracer. An attribute the span already has is left alone, except
 * `tag.tags` in OpenInference's JSON-text form, which is replaced by the string array. It sits first among the
 * processors, so that every processor after it sees the attributes. It never throws.
 */
export class ContextAttributesProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    try {
      const value = parentContext.getValue(SPAN_CONTEXT_KEY) as SpanContextValue | undefined;
      if (value === undefined) return;
      const present = span.attributes;
      for (const [key, attribute] of Object.entries(value.spanAttributes)) {
        const existing = present[key];
        if (existing === undefined || (key === TAG_TAGS && typeof existing === "string")) span.setAttribute(key, attribute);
      }
    } catch {
      // A context value of another shape (a different copy of core) or a span that rejects attributes: the span goes on without them.
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
