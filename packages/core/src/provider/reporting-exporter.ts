import type { DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { redactSecrets } from "../internal/redact";
import type { PipelineCounters } from "./tracing-stats";

/** `ExportResultCode` of `@opentelemetry/core`, spelled out so this module loads no SDK code. */
const SUCCESS = 0;
const FAILED = 1;

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

/** How often, at most, a continuing export failure is logged again. */
const REPEAT_WARNING_MILLIS = 30_000;

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
 */
export class ReportingExporter implements SpanExporter {
  private exported = 0;
  private dropped = 0;
  private failing = false;
  private lastWarning = 0;

  /**
   * @param inner - the exporter to deliver through
   * @param logger - where warnings go
   * @param target - a name for messages, e.g. `arize (http://127.0.0.1:6006/v1/traces)`; never a secret
   * @param explain - turns an export error into a hint for the user (e.g. which setting to check), or undefined
   * @param counters - the pipeline's counters for `stats()`: spans handed to the exporter, exported, failed
   */
  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: DiagLogger,
    private readonly target: string,
    private readonly explain: (error: Error | undefined) => string | undefined = () => undefined,
    private readonly counters?: PipelineCounters,
  ) {}

  /** Spans delivered and spans dropped so far. */
  counts(): ExportCounts {
    return { exported: this.exported, dropped: this.dropped };
  }

  export(spans: ReadableSpan[], resultCallback: (result: { code: number; error?: Error }) => void): void {
    if (this.counters !== undefined) this.counters.handedToExporter += spans.length;
    let settled = false;
    const settle = (result: { code: number; error?: Error }): void => {
      if (settled) return;
      settled = true;
      try {
        if (result.code === SUCCESS) this.succeeded(spans.length);
        else this.failed(spans.length, result.error);
      } catch {
        // A logger or hint that throws must not keep the result from the processor.
      }
      resultCallback(this.counters !== undefined && result.code !== SUCCESS ? { code: SUCCESS } : result);
    };
    try {
      this.inner.export(spans, settle);
    } catch (error) {
      settle({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private succeeded(count: number): void {
    this.exported += count;
    if (this.counters !== undefined) this.counters.exported += count;
    if (this.failing) {
      this.failing = false;
      this.logger.info(`Export to ${this.target} recovered; ${this.dropped} spans were dropped while it failed.`);
    }
  }

  private failed(count: number, error: Error | undefined): void {
    this.dropped += count;
    if (this.counters !== undefined) {
      this.counters.failed += count;
      this.counters.lastError = describeError(error);
      this.counters.lastErrorAt = Date.now();
    }
    const now = Date.now();
    if (this.failing && now - this.lastWarning < REPEAT_WARNING_MILLIS) return;
    this.failing = true;
    this.lastWarning = now;
    const hint = this.explain(error);
    this.logger.warn(
      `Export to ${this.target} failed (${describeError(error)}); ${count} spans dropped, ${this.dropped} so far. ` +
        `The app is not affected; the next batches are tried as usual.${hint === undefined ? "" : ` ${hint}`}`,
    );
  }
}
