import { logger } from "../internal/logger";
import type { FlushResult } from "./handle";

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * Flushes queued spans when the process is about to exit, keeping its normal exit behaviour:
 * on `beforeExit` the flush runs once (the process then exits as it would have); on SIGTERM/SIGINT the spans are
 * flushed within the timeout, then, if nothing else listens for the signal, it is raised again so the process ends
 * exactly as it would without llmops (same signal, same exit status). An app with its own listener keeps control.
 *
 * @returns a function that removes the hooks
 */
export function installFlushOnExit(flush: (timeoutMillis: number) => Promise<FlushResult>, timeoutMillis: number): () => void {
  let flushed = false;
  const onBeforeExit = (): void => {
    if (flushed) return;
    flushed = true;
    void flush(timeoutMillis).then(report);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    const othersListen = process.listenerCount(signal) > 0;
    void flush(timeoutMillis)
      .then(report)
      .finally(() => {
        if (!othersListen) process.kill(process.pid, signal);
      });
  };
  const remove = (): void => {
    process.removeListener("beforeExit", onBeforeExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  process.on("beforeExit", onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return remove;
}

function report(result: FlushResult): void {
  if (result.ok) return;
  const stats = result.stats;
  const counts =
    stats === undefined
      ? ""
      : ` Of ${stats.spansEnded} spans: ${stats.spansExported} exported, ${stats.spansPending} still pending, ${stats.spansFailedExport} failed, ` +
        `${stats.spansDroppedQueueFull + stats.spansDroppedAfterShutdown} dropped.`;
  logger.warn(`Spans queued at exit may be lost: the flush ${result.timedOut ? "timed out" : `failed (${result.error ?? "unknown error"})`}.${counts}`);
}
