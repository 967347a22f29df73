import type { Context, DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SdkSpan as Span, SpanProcessor } from "../contract/sdk-types";
import type { PipelineCounters } from "./tracing-stats";
import { messageOf } from "../errors/error-message";
import { DropReport } from "./drop-report";
import { estimateSpanBytes, QueueMemory } from "./export-queue";
import type { QueueLimit } from "./export-queue";

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
   * The bound of `inner`'s queue, in estimated bytes, spans or both. The counting processor drops, counts and warns
   * before `inner`'s queue is over it, so that `inner` never drops a span silently (its own `maxQueueSize` must be
   * larger). Its queue is the spans passed on minus those handed to the exporter, which is exact for the SDK's batch
   * processor (a batch leaves its queue as it is handed to the exporter; with a resource still detecting attributes,
   * slightly later: then the guard errs early). Undefined: no queue to guard.
   */
  readonly queueLimit?: QueueLimit;
  /**
   * Resolves once the exporter behind `inner` has no export in flight. A batch processor's flush exports what is
   * queued but does not wait for a batch its timer already handed over, so a flush (the one at exit, above all) waits
   * for it here: a span in flight is delivered or, at the caller's bound, counted as lost, never dropped unsaid.
   */
  readonly exportsSettled?: () => Promise<void>;
}

/**
 * Sits in front of the span processor of one exporter and accounts for every sampled span: ended, dropped because
 * the export queue is over its bound (counted, and warned with the total and the fix: see {@link DropReport}),
 * dropped because it ended after shutdown (warned once), or passed on. The exporter behind `inner`
 * (a `ReportingExporter` writing to the same counters) records what was exported and what failed. Nothing here
 * throws into the app: a processor that throws is contained and its span counted as failed.
 */
export class CountingSpanProcessor implements SpanProcessor {
  private shutDown = false;
  private readonly drops: DropReport | undefined;
  private warnedAfterShutdown = false;
  private warnedThrow = false;

  /**
   * @param inner - the processor that queues and exports (the SDK's batch or simple one, or a platform's own)
   * @param options - counters, logger, target name and the queue size to guard
   */
  constructor(
    private readonly inner: SpanProcessor,
    private readonly options: CountingSpanProcessorOptions,
  ) {
    const limit = options.queueLimit;
    if (limit === undefined) return;
    if (limit.maxBytes !== undefined) options.counters.memory = new QueueMemory();
    this.drops = new DropReport({ counters: options.counters, target: options.target, limit, warn: (message) => this.warn(message) });
  }

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
    const limit = this.options.queueLimit;
    if (limit !== undefined) {
      const memory = counters.memory;
      const bytes = memory === undefined ? 0 : estimateSpanBytes(span);
      if ((limit.maxSpans !== undefined && counters.queueLength() >= limit.maxSpans) || (memory !== undefined && memory.bytes + bytes > (limit.maxBytes ?? 0))) {
        counters.droppedQueueFull++;
        this.drops?.dropped();
        return;
      }
      // Before the span is passed on: the batch processor may hand it to the exporter at once.
      memory?.add(bytes);
    }
    this.forward(span, true);
  }

  forceFlush(): Promise<void> {
    const settled = this.options.exportsSettled;
    const flushed = settled === undefined ? this.inner.forceFlush() : this.inner.forceFlush().then(settled);
    return this.drops === undefined ? flushed : flushed.finally(() => this.drops?.reportGrowth());
  }

  shutdown(): Promise<void> {
    this.shutDown = true;
    const down = this.inner.shutdown();
    return this.drops === undefined ? down : down.finally(() => this.drops?.close());
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
        this.options.counters.memory?.undoLast();
      }
      this.contain(error);
    }
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
