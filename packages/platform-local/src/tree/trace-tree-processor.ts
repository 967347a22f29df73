import { diag } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SpanProcessor } from "@llmops/core";
import { messageOf } from "@llmops/core";
import type { SpanRecord } from "../export/span-record";
import { toSpanRecord } from "../export/span-record";
import { formatTraceTree } from "./format-trace-tree";

/** At most this many ended spans wait for their trace to finish; the oldest are dropped beyond it. */
const DEFAULT_MAX_BUFFERED_SPANS = 10_000;

/** Options of {@link TraceTreeProcessor}. */
export interface TraceTreeProcessorOptions {
  /** Where the tree goes. Default: `process.stdout.write`. */
  readonly write?: (text: string) => void;
  /** Where problems are reported. Default: a `diag` component logger `llmops:local`. */
  readonly logger?: DiagLogger;
  /** Spans held back at most (default 10,000). */
  readonly maxBufferedSpans?: number;
}

interface Buffered {
  readonly record: SpanRecord;
  /** No parent, or a parent in another process: when it has ended, its trace is finished here. */
  readonly localRoot: boolean;
}

/**
 * A span processor that prints a trace tree (see {@link formatTraceTree}) when the provider is flushed or shut down:
 * every trace whose local root span has ended since the last print; at shutdown, everything still held.
 * Each span is printed once. Printing never throws.
 */
export class TraceTreeProcessor implements SpanProcessor {
  readonly #write: (text: string) => void;
  readonly #logger: DiagLogger;
  readonly #maxBufferedSpans: number;
  #buffer: Buffered[] = [];
  #droppedWarned = false;
  #stopped = false;

  constructor(options: TraceTreeProcessorOptions = {}) {
    this.#write = options.write ?? ((text) => void process.stdout.write(text));
    this.#logger = options.logger ?? diag.createComponentLogger({ namespace: "llmops:local" });
    this.#maxBufferedSpans = options.maxBufferedSpans ?? DEFAULT_MAX_BUFFERED_SPANS;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#stopped) return;
    try {
      this.#buffer.push({ record: toSpanRecord(span), localRoot: span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true });
      if (this.#buffer.length > this.#maxBufferedSpans) {
        this.#buffer.splice(0, this.#buffer.length - this.#maxBufferedSpans);
        if (!this.#droppedWarned) {
          this.#droppedWarned = true;
          this.#logger.warn(`more than ${this.#maxBufferedSpans} spans waiting for the trace tree; the oldest are left out of it.`);
        }
      }
    } catch (error) {
      this.#logger.debug(`a span was left out of the trace tree: ${messageOf(error)}`);
    }
  }

  /** Prints the traces finished since the last print. */
  forceFlush(): Promise<void> {
    this.#print(false);
    return Promise.resolve();
  }

  /** Prints everything still held, finished or not; later spans are ignored. */
  shutdown(): Promise<void> {
    if (!this.#stopped) {
      this.#print(true);
      this.#stopped = true;
    }
    return Promise.resolve();
  }

  #print(everything: boolean): void {
    if (this.#buffer.length === 0) return;
    let ready: Buffered[];
    if (everything) {
      ready = this.#buffer;
      this.#buffer = [];
    } else {
      const finished = new Set(this.#buffer.filter((item) => item.localRoot).map((item) => item.record.traceId));
      ready = this.#buffer.filter((item) => finished.has(item.record.traceId));
      this.#buffer = this.#buffer.filter((item) => !finished.has(item.record.traceId));
    }
    if (ready.length === 0) return;
    try {
      this.#write(formatTraceTree(ready.map((item) => item.record)));
    } catch (error) {
      this.#logger.debug(`could not print the trace tree: ${messageOf(error)}`);
    }
  }
}
