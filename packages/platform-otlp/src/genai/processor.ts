import type { SdkSpan as Span, SpanProcessor } from "@llmops/core";
import { toGenAiAttributes } from "./conventions";

/**
 * Rewrites OpenInference attributes into the OpenTelemetry GenAI conventions as a span ends, before any exporter sees
 * it (`onEnding`, while the span can still be changed): the GenAI attributes are set and the OpenInference keys they
 * carry are removed, so content is sent once. Spans without an OpenInference kind pass unchanged.
 * The platform installs it for `semantic_conventions: gen_ai`; it works in any OpenTelemetry SDK 2.x provider.
 *
 * @example
 * ```ts
 * import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
 * import { GenAiConventionsProcessor } from "@llmops/platform-otlp";
 * const provider = new NodeTracerProvider({ spanProcessors: [new GenAiConventionsProcessor()] });
 * ```
 */
export class GenAiConventionsProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    const { set, replaced } = toGenAiAttributes(span.attributes, span.name);
    // The SDK's attributes object is the span's own until it ends: removing first keeps the attribute count limit
    // from dropping the GenAI attributes on a span that was near it.
    const attributes = span.attributes as Record<string, unknown>;
    for (const key of replaced) delete attributes[key];
    span.setAttributes(set);
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
