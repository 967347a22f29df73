/** How often a warning about a condition that lasts (exports failing, a full queue) is repeated. */
export const REPEAT_WARNING_MILLIS = 30_000;

/**
 * Lets a warning about a lasting condition through at once, then at most once per interval while it lasts, so a
 * failing backend or a full queue is reported with its running count without flooding the log.
 */
export class RepeatLimit {
  private last: number | undefined;

  constructor(private readonly intervalMillis: number = REPEAT_WARNING_MILLIS) {}

  /** True when a warning may be written now; it then starts the interval. */
  allows(now: number = Date.now()): boolean {
    if (this.last !== undefined && now - this.last < this.intervalMillis) return false;
    this.last = now;
    return true;
  }

  /** The condition ended: the next warning goes through at once. */
  reset(): void {
    this.last = undefined;
  }
}
