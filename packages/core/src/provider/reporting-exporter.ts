import type { DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "../contract/sdk-types";
import { redactSecrets } from "../helpers/redact";

import { ExportScope, runInExportScope } from "../internal/export-scope";
import { RepeatLimit } from "../internal/repeat-limit";
import type { PipelineCounters } from "./tracing-stats";
import { asError } from "../errors/error-message";

import { EXPORT_FAILED as FAILED, EXPORT_SUCCESS as SUCCESS } from "./export-result";

/** How much of an export error's text is quoted: it may be a server's answer, which is quoted, never dumped. */
const MAX_ERROR_LENGTH = 300;

/**
 * An export error for a message: its text, with the HTTP status when the exporter attached one, scrubbed of every
 * known secret (a server may echo the request's credentials in its status text) and cut to a quote's length.
 */
function describeError(error: Error | undefined): string {
  if (error === undefined) return "no reason given";
  const code = (error as { code?: unknown }).code;
  const text = typeof code === "number" && code >= 100 && code < 600 && !error.message.includes(String(code)) ? `HTTP ${code} ${error.message}` : error.message;
  return redactSecrets(text, { maxLength: MAX_ERROR_LENGTH });
}

/**
 * The deadline of one export when the platform names no time limit: the batch processor's default export timeout
 * (`OTEL_BSP_EXPORT_TIMEOUT`), which the SDK enforces on its flush but not on the exporter.
 */
export const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

/**
 * What an export may take beyond the platform's time limit before core gives up on it: the exporter's own timeout
 * reports first when it works (its message is the more precise one); this catches what it misses.
 */
export const EXPORT_DEADLINE_GRACE_MILLIS = 1_000;

/**
 * The error an export is given up with; its code is none the OTLP exporters retry on, so a request ended with it
 * fails the export for good.
 */
function giveUp(reason: string): Error {
  return Object.assign(new Error(reason), { code: "ELLMOPS_GAVE_UP" });
}

/**
 * How many exports run at once: a burst is delivered as fast as the backend takes it, several batches in flight,
 * without reaching the OTLP exporter's own limit (30), past which it fails batches at once.
 */
export const MAX_CONCURRENT_EXPORTS = 4;

/** An export waiting for a free slot. */
interface Waiting {
  readonly spans: ReadableSpan[];
  readonly resultCallback: (result: { code: number; error?: Error }) => void;
}

/** One export handed to the inner exporter and not settled yet. */
interface InFlight {
  readonly spans: number;
  readonly scope: ExportScope;
  readonly settle: (result: { code: number; error?: Error }, quiet: boolean) => void;
}

/** What a {@link ReportingExporter} counted. */
export interface ExportCounts {
  readonly exported: number;
  readonly dropped: number;
}

/**
 * Wraps a platform's exporter so that no failure is silent and none escapes: a failed export (after the exporter's
 * own retries) is counted as dropped spans and warned about, at most every 30 s while it lasts, with the running
 * count; recovery is logged once. An exporter that throws is treated as a failed export.
 *
 * With `counters` (the pipeline of `stats()`), a failed export is handed to the span processor as done: the failure
 * lives in the counts, `lastExportError` and the warning. Otherwise the SDK's processors would log it once more on every
 * batch (through `globalErrorHandler`, with a stack trace), and a flush would stop waiting at the first failed batch
 * while the others were still being sent. Flush results still report it: they compare the counts before and after.
 *
 * Every export ends by a deadline: the OTLP/HTTP exporter's `timeoutMillis` is an idle timeout per attempt, which a
 * server answering one byte now and then never trips, and nothing bounds the wait for a headers factory or a deferred
 * exporter's creation. At the deadline the export is settled as failed (counted, warned), the connections it opened
 * through `exportHttpAgent` are destroyed (so the exporter neither retries nor keeps a socket that holds the process),
 * and a late answer is ignored. {@link ReportingExporter.abandon} does the same at once for every export in flight, for
 * an exit that cannot wait. `shutdown()` and `forceFlush()` wait for the inner exporter at most one deadline after the
 * last export settled: an exporter still waiting for an abandoned request cannot hold them.
 *
 * At most {@link MAX_CONCURRENT_EXPORTS} exports run at once; more wait their turn in order (a flush of a long queue
 * hands every batch over at once), still counted as queued in `counters` until they start.
 */
export class ReportingExporter implements SpanExporter {
  private exported = 0;
  private dropped = 0;
  private failing = false;
  private readonly failureWarnings = new RepeatLimit();
  private readonly inFlight = new Set<InFlight>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly waiting: Waiting[] = [];
  private waitingHead = 0;
  private pumping = false;

  /**
   * @param inner - the exporter to deliver through
   * @param logger - where warnings go
   * @param target - a name for messages, e.g. `arize (http://127.0.0.1:6006/v1/traces)`; never a secret
   * @param explain - turns an export error into a hint for the user (e.g. which setting to check), or undefined
   * @param counters - the pipeline's counters for `stats()`: spans handed to the exporter, exported, failed
   * @param deadlineMillis - when an export is given up on
   * @param maxConcurrent - how many exports run at once (a batch pipeline: {@link MAX_CONCURRENT_EXPORTS}; a span-by-span
   *   pipeline leaves each span's export to start as it ends, as the SDK's simple processor expects)
   */
  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: DiagLogger,
    private readonly target: string,
    private readonly explain: (error: Error | undefined) => string | undefined = () => undefined,
    private readonly counters?: PipelineCounters,
    private readonly deadlineMillis: number = DEFAULT_EXPORT_TIMEOUT_MILLIS + EXPORT_DEADLINE_GRACE_MILLIS,
    private readonly maxConcurrent: number = MAX_CONCURRENT_EXPORTS,
  ) {
    if (counters !== undefined) counters.abandonInFlight = (reason) => this.abandon(reason);
  }

  /** Spans delivered and spans dropped so far. */
  counts(): ExportCounts {
    return { exported: this.exported, dropped: this.dropped };
  }

  export(spans: ReadableSpan[], resultCallback: (result: { code: number; error?: Error }) => void): void {
    this.waiting.push({ spans, resultCallback });
    this.pump();
  }

  /** Starts waiting exports while slots are free; a loop, not recursion, for exporters that answer at once. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inFlight.size < this.maxConcurrent && this.waitingHead < this.waiting.length) {
        const next = this.waiting[this.waitingHead++] as Waiting;
        this.start(next.spans, next.resultCallback);
      }
      if (this.waitingHead === this.waiting.length) {
        this.waiting.length = 0;
        this.waitingHead = 0;
      }
    } finally {
      this.pumping = false;
    }
    if (this.inFlight.size === 0 && this.waitingHead === this.waiting.length) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private start(spans: ReadableSpan[], resultCallback: (result: { code: number; error?: Error }) => void): void {
    this.counters?.handedOver(spans.length);
    let settled = false;
    const settle = (result: { code: number; error?: Error }, quiet = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.inFlight.delete(entry);
      try {
        if (result.code === SUCCESS) this.succeeded(spans.length);
        else this.failed(spans.length, result.error, quiet);
      } catch {
        // A logger or hint that throws must not keep the result from the processor.
      }
      resultCallback(this.counters !== undefined && result.code !== SUCCESS ? { code: SUCCESS } : result);
      this.pump();
    };
    const scope = new ExportScope();
    const entry: InFlight = { spans: spans.length, scope, settle };
    this.inFlight.add(entry);
    // Unref'd: the request itself keeps the process alive while it is open; the deadline must not add to that.
    const timer = setTimeout(() => {
      const error = giveUp(`no complete answer within ${this.deadlineMillis} ms, the export deadline; llmops gave up on this batch`);
      settle({ code: FAILED, error });
      scope.end(error);
    }, this.deadlineMillis);
    timer.unref();
    try {
      runInExportScope(scope, () => this.inner.export(spans, (result) => settle(result)));
    } catch (error) {
      settle({ code: FAILED, error: asError(error) });
    }
  }

  /**
   * Gives up on every export still in flight: each is settled as failed with `reason` (counted, not warned: the
   * caller says it once), and a late answer is ignored.
   *
   * @returns how many spans were given up
   */
  abandon(reason: string): number {
    let spans = 0;
    const waiting = this.waiting.splice(this.waitingHead);
    this.waiting.length = 0;
    this.waitingHead = 0;
    for (const { spans: batch, resultCallback } of waiting) {
      spans += batch.length;
      this.counters?.handedOver(batch.length);
      this.failed(batch.length, giveUp(reason), true);
      resultCallback(this.counters === undefined ? { code: FAILED, error: giveUp(reason) } : { code: SUCCESS });
    }
    for (const entry of [...this.inFlight]) {
      spans += entry.spans;
      const error = giveUp(reason);
      entry.settle({ code: FAILED, error }, true);
      entry.scope.end(error);
    }
    return spans;
  }

  shutdown(): Promise<void> {
    return this.noLongerThanExports(() => this.inner.shutdown());
  }

  forceFlush(): Promise<void> {
    return this.noLongerThanExports(() => this.inner.forceFlush?.() ?? Promise.resolve());
  }

  /**
   * Runs an operation of the inner exporter that waits for its requests (the OTLP exporter's flush and shutdown), and
   * stops waiting one deadline after every export of ours settled: what it still waits for then was given up on.
   */
  private noLongerThanExports(operation: () => Promise<void>): Promise<void> {
    let running: Promise<void>;
    try {
      running = operation();
    } catch (error) {
      running = Promise.reject(asError(error));
    }
    let timer: NodeJS.Timeout | undefined;
    const givenUp = this.settledAll().then(
      () =>
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.deadlineMillis);
          timer.unref();
        }),
    );
    return Promise.race([running, givenUp]).finally(() => clearTimeout(timer));
  }

  /** Resolves once no export is in flight (each ends by its deadline, so this does too). */
  settledAll(): Promise<void> {
    if (this.inFlight.size === 0 && this.waitingHead === this.waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private succeeded(count: number): void {
    this.exported += count;
    if (this.counters !== undefined) this.counters.exported += count;
    if (this.failing) {
      this.failing = false;
      this.failureWarnings.reset();
      this.logger.info(`Export to ${this.target} recovered; ${this.dropped} spans were dropped while it failed.`);
    }
  }

  private failed(count: number, error: Error | undefined, quiet = false): void {
    this.dropped += count;
    if (this.counters !== undefined) {
      this.counters.failed += count;
      this.counters.lastError = describeError(error);
      this.counters.lastErrorAt = Date.now();
    }
    if (quiet) return;
    if (!this.failureWarnings.allows()) return;
    this.failing = true;
    const hint = this.explain(error);
    this.logger.warn(
      `Export to ${this.target} failed (${describeError(error)}); ${count} ${count === 1 ? "span" : "spans"} dropped, ${this.dropped} so far. ` +
        `The app is not affected; the next batches are tried as usual.${hint === undefined ? "" : ` ${hint}`}`,
    );
  }
}
