import type { Context } from "@opentelemetry/api";
import type { SdkSpan as Span, SpanProcessor } from "../contract/sdk-types";
import { SPAN_CONTEXT_KEY, TAG_TAGS } from "../internal/span-context";
import type { SpanContextValue } from "../internal/span-context";

/**
 * Writes the session, user, metadata, tags and attributes of `withSession()`, `withContext()`... on every span as it
 * starts, whoever started it: an OpenInference instrumentor (which reads its own context keys and sets the same
 * values), another instrumentation, or the app's own tracer. An attribute the span already has is left alone. It sits
 * first among the processors, so that every processor after it sees the attributes. It never throws.
 *
 * `tag.tags` is a list of strings on every span: OpenInference instrumentors write it as JSON text (after the span
 * started, so this processor turns it into the list as the span ends).
 */
export class ContextAttributesProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    try {
      const value = parentContext.getValue(SPAN_CONTEXT_KEY) as SpanContextValue | undefined;
      if (value === undefined) return;
      const present = span.attributes;
      for (const [key, attribute] of Object.entries(value.spanAttributes)) {
        const existing = present[key];
        if (existing === undefined && attribute !== undefined) span.setAttribute(key, attribute);
      }
    } catch {
      // A context value of another shape (a different copy of core) or a span that rejects attributes: the span goes on without them.
    }
  }

  onEnding(span: Span): void {
    try {
      const tags = span.attributes[TAG_TAGS];
      if (typeof tags !== "string") return;
      const parsed: unknown = JSON.parse(tags);
      if (Array.isArray(parsed) && parsed.every((tag) => typeof tag === "string")) span.setAttribute(TAG_TAGS, parsed as string[]);
    } catch {
      // Not JSON: the text stays as it is.
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
