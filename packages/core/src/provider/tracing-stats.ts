import { redactSecrets } from "../helpers/redact";
import { PolicyCounters } from "./policy-counters";
import type { QueueMemory } from "./export-queue";

/**
 * What became of the spans of one `instrument()` call so far: every sampled span that ended is exported, failed,
 * dropped or still pending, so `spansEnded` equals the sum of the other five. With several exporters, each span counts
 * once per exporter. Spans of the platform's extra processors (e.g. a debug console printer) are not counted.
 *
 * @example
 * ```ts
 * const tracing = await getPlatform("arize").instrument();
 * // ... the app runs ...
 * const { spansEnded, spansExported, spansDroppedQueueFull, spansFailedExport } = tracing.stats();
 * if (spansDroppedQueueFull > 0) console.warn(`raise OTEL_BSP_MAX_QUEUE_SIZE: ${spansDroppedQueueFull} of ${spansEnded} spans dropped`);
 * ```
 */
export interface TracingStats {
  /** Sampled spans that ended and reached llmops's export pipeline. */
  readonly spansEnded: number;
  /** Spans the backend accepted. */
  readonly spansExported: number;
  /** Spans whose export failed after the exporter's own retries (refused, timed out, rejected), or whose exporter threw. */
  readonly spansFailedExport: number;
  /** Spans dropped because the export queue was full (`OTEL_BSP_MAX_QUEUE_SIZE`): the backend did not keep up. */
  readonly spansDroppedQueueFull: number;
  /** Spans that ended after `shutdown()`, which nothing exports any more. */
  readonly spansDroppedAfterShutdown: number;
  /**
   * Spans queued or being exported right now. With a platform's own span processor (`createSpanProcessor`), this
   * also holds spans that processor chose not to export.
   */
  readonly spansPending: number;
  /** Spans not exported because sampling left their trace out (`sampling:`, `OTEL_TRACES_SAMPLER`); not in `spansEnded`. */
  readonly spansSampledOut: number;
  /** Model name → LLM spans that got no `llm.cost.*` because the model has no price (add it under `pricing.models`). */
  readonly unpricedModels: Readonly<Record<string, number>>;
  /** The most recent export failure, e.g. `connect ECONNREFUSED 127.0.0.1:6006` or `HTTP 401 Unauthorized`; never a secret. */
  readonly lastExportError?: string;
}

/** A {@link TracingStats} of zeros: what the no-op handle reports. */
export const NO_SPANS: TracingStats = Object.freeze({
  spansEnded: 0,
  spansExported: 0,
  spansFailedExport: 0,
  spansDroppedQueueFull: 0,
  spansDroppedAfterShutdown: 0,
  spansPending: 0,
  spansSampledOut: 0,
  unpricedModels: Object.freeze({}),
});

/**
 * The running counts of one export pipeline (one exporter and its span processor), written by the counting processor
 * and the reporting exporter in front of the exporter.
 */
export class PipelineCounters {
  /** Sampled spans handed to the pipeline's processor (also after shutdown). */
  ended = 0;
  /** Dropped because the queue was full. */
  droppedQueueFull = 0;
  /** Ended after shutdown. */
  droppedAfterShutdown = 0;
  /** Passed on to the span processor (not dropped by the counting processor). */
  forwarded = 0;
  /** Handed to the exporter's `export()`. */
  handedToExporter = 0;
  /** Accepted by the backend. */
  exported = 0;
  /** Export failed, or the exporter or processor threw. */
  failed = 0;
  /** The last export failure, described. */
  lastError: string | undefined;
  /** When it happened (`Date.now()`). */
  lastErrorAt = 0;
  /** Set by the pipeline's exporter: gives up on its exports in flight, counting them as failed; returns their spans. */
  abandonInFlight: ((reason: string) => number) | undefined;

  /** The estimated memory of the queue, when it is bounded by memory. */
  memory: QueueMemory | undefined;

  /** The exporter started exporting the `count` oldest queued spans. */
  handedOver(count: number): void {
    this.handedToExporter += count;
    this.memory?.release(count);
  }

  /** Spans the span processor holds and has not handed to the exporter yet: its queue. */
  queueLength(): number {
    return this.forwarded - this.handedToExporter;
  }
}

/** Collects the counters of every export pipeline of one `instrument()` call and sums them up. */
export class TracingStatsCollector {
  private readonly pipelines: PipelineCounters[] = [];
  /** What the cost processor and the sampler count. */
  readonly policies = new PolicyCounters();

  /** Counters for one more pipeline. */
  addPipeline(): PipelineCounters {
    const counters = new PipelineCounters();
    this.pipelines.push(counters);
    return counters;
  }

  /** True until a pipeline is added: the provider was not assembled here, nothing is counted. */
  isEmpty(): boolean {
    return this.pipelines.length === 0;
  }

  /**
   * Gives up on every export still in flight in every pipeline (an exit that cannot wait longer): their spans are
   * counted as failed, with `reason` as the last export error.
   *
   * @returns how many spans were given up
   */
  abandonInFlight(reason: string): number {
    let spans = 0;
    for (const counters of this.pipelines) spans += counters.abandonInFlight?.(reason) ?? 0;
    return spans;
  }

  /** The sums so far. */
  snapshot(): TracingStats {
    let spansEnded = 0;
    let spansExported = 0;
    let spansFailedExport = 0;
    let spansDroppedQueueFull = 0;
    let spansDroppedAfterShutdown = 0;
    let lastError: { message: string; at: number } | undefined;
    for (const counters of this.pipelines) {
      if (counters.lastError !== undefined && (lastError === undefined || counters.lastErrorAt >= lastError.at)) lastError = { message: counters.lastError, at: counters.lastErrorAt };
      spansEnded += counters.ended;
      spansExported += counters.exported;
      spansFailedExport += counters.failed;
      spansDroppedQueueFull += counters.droppedQueueFull;
      spansDroppedAfterShutdown += counters.droppedAfterShutdown;
    }
    const spansPending = Math.max(0, spansEnded - spansExported - spansFailedExport - spansDroppedQueueFull - spansDroppedAfterShutdown);
    const { sampledOut: spansSampledOut } = this.policies;
    const stats = { spansEnded, spansExported, spansFailedExport, spansDroppedQueueFull, spansDroppedAfterShutdown, spansPending, spansSampledOut, unpricedModels: this.policies.unpricedModels() };
    // Scrubbed as it leaves: a secret learnt after the failure was recorded is still kept out.
    return lastError === undefined ? stats : { ...stats, lastExportError: redactSecrets(lastError.message) };
  }
}
