import type { Attributes, Context, HrTime, Link, Span as ApiSpan, SpanContext, SpanKind, SpanStatus } from "@opentelemetry/api";

/*
 * The shapes of the OpenTelemetry SDK's span processor, span exporter and finished span that llmops's contracts use,
 * written here because the SDK is bundled into core rather than installed beside it. They are the subset of the SDK's
 * own interfaces (2.x and 3.x) that llmops reads: a processor or exporter from either SDK line is one of these, and
 * one of these is accepted wherever that SDK takes its own.
 */

/** An event recorded on a span. */
export interface SpanEvent {
  readonly time: HrTime;
  readonly name: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

/**
 * A span as span processors see it when it ends, and as exporters receive it: the SDK's `ReadableSpan`.
 *
 * @example
 * ```ts
 * import type { ReadableSpan } from "@llmops/core";
 * const isLlmSpan = (span: ReadableSpan) => span.attributes["openinference.span.kind"] === "LLM";
 * ```
 */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: SpanEvent[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: { readonly attributes: Attributes };
  readonly instrumentationScope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string };
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/**
 * A span while it is open, as a span processor's `onStart` and `onEnding` receive it: writable, and readable.
 *
 * @example
 * ```ts
 * import type { SdkSpan } from "@llmops/core";
 * const tagTeam = (span: SdkSpan) => span.setAttribute("team", "search");
 * ```
 */
export type SdkSpan = ApiSpan & ReadableSpan;

/**
 * A span processor: the SDK's `SpanProcessor` interface. Every processor of the OpenTelemetry SDK is one.
 *
 * @example
 * ```ts
 * import type { SpanProcessor } from "@llmops/core";
 * const tagger: SpanProcessor = {
 *   onStart: (span) => span.setAttribute("team", "search"),
 *   onEnd: () => {},
 *   forceFlush: async () => {},
 *   shutdown: async () => {},
 * };
 * ```
 */
export interface SpanProcessor {
  forceFlush(): Promise<void>;
  onStart(span: SdkSpan, parentContext: Context): void;
  /** Called as the span ends, while it can still be changed (SDK 2.1 and later). */
  onEnding?(span: SdkSpan): void;
  onEnd(span: ReadableSpan): void;
  shutdown(): Promise<void>;
}

/** What an exporter hands its callback: `code` 0 is success, 1 failure (the SDK's `ExportResultCode`). */
export interface ExportResult {
  readonly code: number;
  readonly error?: Error;
}

/**
 * A span exporter: the SDK's `SpanExporter` interface. Every exporter of the OpenTelemetry SDK is one.
 *
 * @example
 * ```ts
 * import { EXPORT_SUCCESS } from "@llmops/core";
 * import type { SpanExporter } from "@llmops/core";
 * const discard: SpanExporter = {
 *   export: (_spans, done) => done({ code: EXPORT_SUCCESS }),
 *   shutdown: async () => {},
 * };
 * ```
 */
export interface SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}
