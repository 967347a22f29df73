import { RepeatLimit } from "../internal/repeat-limit";
import type { QueueLimit } from "./export-queue";
import type { PipelineCounters } from "./tracing-stats";

/**
 * How long after the first drop the first warning is written: spans of one burst end together (a synchronous loop, a
 * `Promise.all` whose answers arrive over a few milliseconds), so the line counts the burst, not its first drop.
 */
export const FIRST_DROP_REPORT_DELAY_MILLIS = 1_000;

/** What {@link DropReport} needs from its span processor. */
export interface DropReportOptions {
  /** The pipeline's counts: `droppedQueueFull` is the total reported. */
  readonly counters: PipelineCounters;
  /** A name for messages; never a secret. */
  readonly target: string;
  /** The queue bound, for the reason and the fix. */
  readonly limit: QueueLimit;
  /** Writes a warning (never throws). */
  readonly warn: (message: string) => void;
}

/**
 * Reports the spans an export queue dropped, always with the total so far and why: a moment after the first drop
 * (so a burst is reported whole), then at most every 30 s while drops go on, and again at every flush, at shutdown
 * and at exit whenever the total grew since the last line. A line is never written twice for the same total.
 */
export class DropReport {
  private reported = 0;
  private readonly repeat = new RepeatLimit();
  private timer: NodeJS.Timeout | undefined;
  private exitListener: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: DropReportOptions) {}

  /** A span was dropped (the counter is already up). */
  dropped(): void {
    if (this.timer !== undefined) return;
    if (this.exitListener === undefined && !this.closed) {
      this.exitListener = () => this.reportGrowth();
      process.once("exit", this.exitListener);
    }
    // Within the repeat interval the next line waits for it; a flush, shutdown or exit may write it sooner.
    const now = Date.now();
    if (!this.repeat.allows(now)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reportGrowth();
    }, FIRST_DROP_REPORT_DELAY_MILLIS);
    this.timer.unref();
  }

  /** Writes the total if it grew since the last line. */
  reportGrowth(): void {
    const total = this.options.counters.droppedQueueFull;
    if (total <= this.reported) return;
    this.reported = total;
    const { target, limit } = this.options;
    this.options.warn(
      `${total} ${total === 1 ? "span" : "spans"} dropped in total for ${target}: its export queue was full (${limit.description}); the app is not affected. ` +
        `Spans ended faster than they were exported: ${limit.fix}, or check that the backend keeps up. tracing.stats() has the counts.`,
    );
  }

  /** Shutdown: the last line if the total grew, and no exit listener left behind. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.reportGrowth();
    if (this.exitListener !== undefined) process.removeListener("exit", this.exitListener);
    this.exitListener = undefined;
  }
}
