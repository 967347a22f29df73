import type { Context, DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { PipelineCounters } from "./tracing-stats";
import { RepeatLimit } from "../internal/repeat-limit";
import { messageOf } from "../errors/error-message";

/** `TraceFlags.SAMPLED` of `@opentelemetry/api`, spelled out so this module loads nothing at import. */
const SAMPLED = 1;

/** Options of {@link CountingSpanProcessor}. */
export interface CountingSpanProcessorOptions {
  /** Where the pipeline's counts go; the exporter behind `inner` writes the export results to the same object. */
  readonly counters: PipelineCounters;
  /** Where warnings go. */
  readonly logger: DiagLogger;
  /** A name for messages, e.g. `Phoenix at http://127.0.0.1:6006/v1/traces`; never a secret. */
  readonly target: string;
  /**
   * The queue size of `inner` (a batch processor's `maxQueueSize`). The counting processor drops, counts and warns
   * before `inner`'s queue is full, so that `inner` never drops a span silently. Its queue length is the spans passed
   * on minus those handed to the exporter, which is exact for the SDK's batch processor (a batch leaves its queue as it
   * is handed to the exporter; with a resource still detecting attributes, slightly later: then the guard errs early).
   * Undefined: no queue to guard.
   */
  readonly maxQueueSize?: number;
  /**
   * Resolves once the exporter behind `inner` has no export in flight. A batch processor's flush exports what is
   * queued but does not wait for a batch its timer already handed over, so a flush (the one at exit, above all) waits
   * for it here: a span in flight is delivered or, at the caller's bound, counted as lost, never dropped unsaid.
   */
  readonly exportsSettled?: () => Promise<void>;
}

/**
 * Sits in front of the span processor of one exporter and accounts for every sampled span: ended, dropped because
 * the export queue is full (counted and warned, at once and then at most every 30 s while it lasts, with the running
 * count and the fix), dropped because it ended after shutdown (warned once), or passed on. The exporter behind `inner`
 * (a `ReportingExporter` writing to the same counters) records what was exported and what failed. Nothing here
 * throws into the app: a processor that throws is contained and its span counted as failed.
 */
export class CountingSpanProcessor implements SpanProcessor {
  private shutDown = false;
  private readonly dropWarnings = new RepeatLimit();
  private warnedAfterShutdown = false;
  private warnedThrow = false;

  /**
   * @param inner - the processor that queues and exports (the SDK's batch or simple one, or a platform's own)
   * @param options - counters, logger, target name and the queue size to guard
   */
  constructor(
    private readonly inner: SpanProcessor,
    private readonly options: CountingSpanProcessorOptions,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    try {
      this.inner.onStart(span, parentContext);
    } catch (error) {
      this.contain(error);
    }
  }

  onEnd(span: ReadableSpan): void {
    const counters = this.options.counters;
    if ((span.spanContext().traceFlags & SAMPLED) === 0) {
      this.forward(span, false);
      return;
    }
    counters.ended++;
    if (this.shutDown) {
      counters.droppedAfterShutdown++;
      if (!this.warnedAfterShutdown) {
        this.warnedAfterShutdown = true;
        this.warn(`A span ended after shutdown() and was not exported to ${this.options.target}; tracing.stats() counts such spans.`);
      }
      return;
    }
    const limit = this.options.maxQueueSize;
    if (limit !== undefined && counters.queueLength() >= limit) {
      counters.droppedQueueFull++;
      this.warnDrop(limit);
      return;
    }
    this.forward(span, true);
  }

  forceFlush(): Promise<void> {
    const settled = this.options.exportsSettled;
    return settled === undefined ? this.inner.forceFlush() : this.inner.forceFlush().then(settled);
  }

  shutdown(): Promise<void> {
    this.shutDown = true;
    return this.inner.shutdown();
  }

  private forward(span: ReadableSpan, counted: boolean): void {
    if (counted) this.options.counters.forwarded++;
    try {
      this.inner.onEnd(span);
    } catch (error) {
      if (counted) {
        // Taken as lost inside the processor.
        this.options.counters.forwarded--;
        this.options.counters.failed++;
      }
      this.contain(error);
    }
  }

  private warnDrop(limit: number): void {
    if (!this.dropWarnings.allows()) return;
    const dropped = this.options.counters.droppedQueueFull;
    this.warn(
      `The export queue for ${this.options.target} is full (${limit} spans): ${dropped} ${dropped === 1 ? "span" : "spans"} dropped so far; ` +
        `the app is not affected. Spans end faster than they are exported: raise OTEL_BSP_MAX_QUEUE_SIZE, export more often ` +
        `(lower OTEL_BSP_SCHEDULE_DELAY, raise OTEL_BSP_MAX_EXPORT_BATCH_SIZE), or check that the backend keeps up. tracing.stats() has the counts.`,
    );
  }

  private contain(error: unknown): void {
    if (this.warnedThrow) return;
    this.warnedThrow = true;
    this.warn(`The span processor for ${this.options.target} threw (${messageOf(error)}); the app is not affected.`);
  }

  private warn(message: string): void {
    try {
      this.options.logger.warn(message);
    } catch {
      // A logger that throws must not reach the app either.
    }
  }
}
