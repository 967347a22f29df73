import { logger } from "../internal/logger";
import type { FlushResult } from "./handle";

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * Flushes queued spans when the process is about to exit, keeping its normal exit behaviour, and never holding the
 * exit past `timeoutMillis`:
 * - on `beforeExit` the flush runs once; the process then exits as it would have. When the flush does not finish in
 *   time, the exports still in flight are abandoned (counted as failed in `stats()`, one warning says how many spans
 *   were lost and why) and, if their requests still hold the event loop, the process exits with the exit code the
 *   app set: an export to a backend that accepts connections and never answers cannot keep it alive.
 * - on SIGTERM/SIGINT the spans are flushed within the timeout (abandoned as above when it runs out), then, if nothing
 *   else listens for the signal, it is raised again so the process ends exactly as it would without llmops (same
 *   signal, same exit status). An app with its own listener keeps control; when that listener calls `process.exit()`
 *   while the flush runs (Next.js's server exits with 143 once it has closed), the exit waits for the flush, within the
 *   same bound, and then happens with the app's exit code. llmops's listener goes first, so that a listener that exits
 *   at once still finds the flush started.
 *
 * @param flush - flushes within the given time and says how it went (never rejects)
 * @param timeoutMillis - the exit bound (`flushOnExit.timeoutMillis`)
 * @param abandon - gives up on the exports still in flight, counting their spans as failed; returns how many
 * @returns a function that removes the hooks
 */
export function installFlushOnExit(flush: (timeoutMillis: number) => Promise<FlushResult>, timeoutMillis: number, abandon: (reason: string) => number = () => 0): () => void {
  let flushed = false;
  const finish = (result: FlushResult): void => {
    try {
      report(result, timeoutMillis, abandon);
    } catch {
      // Reporting must not stand between the app and its exit.
    }
  };
  const onBeforeExit = (): void => {
    if (flushed) return;
    flushed = true;
    void flush(timeoutMillis).then((result) => {
      finish(result);
      if (!result.timedOut) return;
      // Unref'd: when nothing else holds the event loop the process exits by itself, as it would have; the timer only
      // fires while the abandoned requests (or anything else) still hold it.
      setTimeout(() => process.exit(), 0).unref();
    });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    const othersListen = process.listenerCount(signal) > 0;
    const release = othersListen ? holdExit(timeoutMillis) : () => {};
    void flush(timeoutMillis)
      .then(finish)
      .finally(() => {
        release();
        if (!othersListen) process.kill(process.pid, signal);
      });
  };
  const remove = (): void => {
    process.removeListener("beforeExit", onBeforeExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  process.on("beforeExit", onBeforeExit);
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  return remove;
}

/** How long past the flush bound a held exit waits at most, should the flush's own bound fail. */
const HOLD_GRACE_MILLIS = 1_000;

/**
 * Holds `process.exit()` while the flush at a signal runs: a call meanwhile is remembered (its code kept as
 * `process.exitCode`) and carried out when the returned function runs, or after `timeoutMillis` (plus a grace) at the
 * latest. Until then `process.exit` is llmops's; afterwards it is the original again.
 */
function holdExit(timeoutMillis: number): () => void {
  const original = process.exit;
  let requested = false;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    clearTimeout(guard);
    if (process.exit === held) process.exit = original;
    if (requested) original.call(process, process.exitCode);
  };
  const held = ((code?: number | string | null) => {
    if (code !== undefined && code !== null) process.exitCode = code;
    requested = true;
  }) as typeof process.exit;
  const guard = setTimeout(release, timeoutMillis + HOLD_GRACE_MILLIS);
  guard.unref();
  process.exit = held;
  return release;
}

/** One warning for a flush at exit that did not deliver everything: how many spans were lost, and why. */
function report(result: FlushResult, timeoutMillis: number, abandon: (reason: string) => number): void {
  if (result.ok) return;
  const stats = result.stats;
  if (result.timedOut) {
    const why = `the flush at exit did not finish within ${timeoutMillis} ms (flushOnExit.timeoutMillis)`;
    const lost = abandon(`abandoned at exit: ${why}`);
    if (lost > 0) {
      const last = stats?.lastExportError === undefined ? "" : ` Last export error: ${stats.lastExportError}.`;
      logger.warn(`${lost} ${lost === 1 ? "span was" : "spans were"} lost at exit: ${why}, so llmops stopped waiting for the backend.${last} tracing.stats() counts them as failed.`);
      return;
    }
  }
  const counts =
    stats === undefined
      ? ""
      : ` Of ${stats.spansEnded} spans: ${stats.spansExported} exported, ${stats.spansPending} still pending, ${stats.spansFailedExport} failed, ` +
        `${stats.spansDroppedQueueFull + stats.spansDroppedAfterShutdown} dropped.`;
  logger.warn(`Spans queued at exit may be lost: the flush ${result.timedOut ? "timed out" : `failed (${result.error ?? "unknown error"})`}.${counts}`);
}
