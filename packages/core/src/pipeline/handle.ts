import type { TracerProvider } from "@opentelemetry/api";
import type { ConfigIssue } from "../errors/llmops-error";
import { redactSecrets } from "../helpers/redact";
import type { InstrumentorReport } from "../instrumentors/report";
import type { ManagedTracerProvider } from "../contract/provider";
import type { TracingStats } from "../provider/tracing-stats";
import { NO_SPANS } from "../provider/tracing-stats";
import { messageOf } from "../errors/error-message";

/**
 * The result of `forceFlush()` and `shutdown()`: they never reject.
 *
 * @example
 * ```ts
 * const result = await tracing.forceFlush({ timeoutMillis: 2_000 });
 * if (!result.ok) console.warn(`flush: ${result.error}; not delivered so far:`, result.stats);
 * ```
 */
export interface FlushResult {
  /** True when every span was handed to the exporter in time and none failed or was dropped meanwhile. */
  readonly ok: boolean;
  /** True when the timeout ran out first. */
  readonly timedOut: boolean;
  /** The error's message, when one occurred. */
  readonly error?: string;
  /**
   * The span counts once the flush settled or timed out (see {@link InstrumentationHandle.stats}); absent when the
   * platform built its provider without `assembleTracerProvider`, so nothing was counted.
   */
  readonly stats?: TracingStats;
}

/**
 * What `instrument()` returns. Every method is safe to call, also on the no-op handle of a failed start.
 *
 * @example
 * ```ts
 * const tracing = await getPlatform("local").instrument();
 * console.log(tracing.active, tracing.instrumentations);
 * await tracing.shutdown();
 * ```
 */
export interface InstrumentationHandle {
  /** The platform's name. */
  readonly platform: string;
  /** False for the no-op handle (tracing off: invalid config in permissive mode, `OTEL_SDK_DISABLED`). */
  readonly active: boolean;
  /** The TracerProvider spans go through (a no-op one when inactive). */
  readonly tracerProvider: TracerProvider;
  /** What each instrumentor of the platform's registry did. */
  readonly instrumentations: readonly InstrumentorReport[];
  /** The problems that made the handle inactive, if any. */
  readonly issues: readonly ConfigIssue[];
  /** The config file used, if any. */
  readonly configFile: string | undefined;
  /** Exports every ended span. Resolves (never rejects) within `timeoutMillis` (default 5 s). */
  forceFlush(options?: { readonly timeoutMillis?: number }): Promise<FlushResult>;
  /**
   * Flushes and stops tracing. Resolves (never rejects) within `timeoutMillis` (default 5 s); exports still in flight
   * then are given up and counted as failed. From the moment it is called, llmops's global registrations are undone
   * and a new `instrument()` call starts tracing anew.
   */
  shutdown(options?: { readonly timeoutMillis?: number }): Promise<FlushResult>;
  /**
   * What became of the spans so far: ended, exported, failed, dropped (queue full, after shutdown) and pending.
   * Nothing is dropped without being counted here and warned about. All zeros on the no-op handle, and when the
   * platform built its provider without `assembleTracerProvider`.
   *
   * @example
   * ```ts
   * const { spansDroppedQueueFull, spansFailedExport } = tracing.stats();
   * ```
   */
  stats(): TracingStats;
}

const DEFAULT_TIMEOUT_MILLIS = 5_000;
/** How much of an error's text a flush result quotes. */
const MAX_ERROR_LENGTH = 500;
const OK: FlushResult = { ok: true, timedOut: false };

/** A handle that does nothing, for tracing that is off; `tracerProvider` is the API's global one. */
export function noopHandle(tracerProvider: TracerProvider, platform: string, issues: readonly ConfigIssue[] = [], configFile?: string): InstrumentationHandle {
  return {
    platform,
    active: false,
    tracerProvider,
    instrumentations: [],
    issues,
    configFile,
    forceFlush: () => Promise.resolve(OK),
    shutdown: () => Promise.resolve(OK),
    stats: () => NO_SPANS,
  };
}

/** The handle of a running pipeline. */
export function liveHandle(params: {
  platform: string;
  provider: ManagedTracerProvider;
  instrumentations: readonly InstrumentorReport[];
  configFile: string | undefined;
  /** Runs as `shutdown()` is first called, before the flush: whatever must stop taking new spans. */
  onShutdownStarted?: () => void;
  /** Runs once the shutdown settled. */
  onShutdown: () => void;
  /** The span counts; none when the platform built its provider without `assembleTracerProvider`. */
  stats?: () => TracingStats;
  /** Gives up on the exports still in flight, counting their spans as failed; returns how many. */
  abandon?: (reason: string) => number;
}): InstrumentationHandle {
  let shutdown: Promise<FlushResult> | undefined;
  const counted = params.stats;
  return {
    platform: params.platform,
    active: true,
    tracerProvider: params.provider,
    instrumentations: params.instrumentations,
    issues: [],
    configFile: params.configFile,
    forceFlush: (options) =>
      shutdown !== undefined ? Promise.resolve(counted === undefined ? OK : { ...OK, stats: counted() }) : bounded(() => params.provider.forceFlush(), options?.timeoutMillis, counted),
    stats: counted ?? (() => NO_SPANS),
    shutdown: (options) => {
      const timeoutMillis = options?.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS;
      if (shutdown === undefined) params.onShutdownStarted?.();
      shutdown ??= bounded(() => params.provider.shutdown(), timeoutMillis, counted).then((result) => {
        params.onShutdown();
        // Nothing exports after shutdown: what is still in flight at its bound is given up (and its connection closed),
        // so that it neither holds the process nor stays "pending" in stats() for ever.
        if (!result.timedOut || params.abandon === undefined || params.abandon(`abandoned at shutdown: it did not finish within ${timeoutMillis} ms`) === 0) return result;
        return counted === undefined ? result : { ...result, stats: counted() };
      });
      return shutdown;
    },
  };
}

/** Spans given up on: failed exports and queue-full drops. */
function undelivered(stats: TracingStats): number {
  return stats.spansFailedExport + stats.spansDroppedQueueFull;
}

/**
 * Runs an operation that may reject or hang; resolves with what happened, within the timeout. With `stats`, the
 * result carries the span counts at that moment, and is not `ok` when spans failed or were dropped meanwhile (an
 * exporter that gives up on a batch still lets a flush or shutdown complete).
 */
export function bounded(operation: () => Promise<void>, timeoutMillis: number = DEFAULT_TIMEOUT_MILLIS, stats?: () => TracingStats): Promise<FlushResult> {
  const before = stats?.();
  return new Promise<FlushResult>((done) => {
    // Every result leaves through here: its error text (a processor's rejection may quote a server) is scrubbed.
    const settle = (result: FlushResult): void => done(result.error === undefined ? result : { ...result, error: redactSecrets(result.error, { maxLength: MAX_ERROR_LENGTH }) });
    const resolve = (result: FlushResult): void => {
      if (stats === undefined || before === undefined) return settle(result);
      const after = stats();
      const lost = undelivered(after) - undelivered(before);
      if (result.ok && lost > 0) {
        const reason = after.lastExportError === undefined ? "" : `; last error: ${after.lastExportError}`;
        settle({ ok: false, timedOut: false, error: `${lost} ${lost === 1 ? "span was" : "spans were"} not delivered${reason}`, stats: after });
      } else settle({ ...result, stats: after });
    };
    const timer = setTimeout(() => resolve({ ok: false, timedOut: true, error: `did not finish within ${timeoutMillis} ms` }), timeoutMillis);
    timer.unref();
    let running: Promise<void>;
    try {
      running = operation();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => {
        clearTimeout(timer);
        resolve(OK);
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, timedOut: false, error: messageOf(error) });
      },
    );
  });
}
