import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";

/** The V8 heap a bounded child gets: a walk that grows with an alias bomb's expansion dies here instead of swapping. */
const HEAP_MEGABYTES = 64;
/** Peak resident memory allowed to a bounded child, in kilobytes: Node itself takes about 50 MB. */
export const MAX_RSS_KB = 200 * 1024;
/** A child still running after this is killed: a hang fails the test instead of holding the run. */
const KILL_AFTER_MILLIS = 30_000;

/** What a bounded child did. */
export interface BoundedRun {
  /** Exit code, null when killed. */
  readonly code: number | null;
  /** True when the kill timeout ended it. */
  readonly killed: boolean;
  /** stdout and stderr. */
  readonly out: string;
  /** Peak resident memory (`process.resourceUsage().maxRSS`), reported by the child at exit; Infinity when it never said. */
  readonly maxRssKb: number;
}

let reporter: string | undefined;

/**
 * Runs `node <args>` with a small heap, a kill timeout and a hook that prints its peak memory at exit: an operation
 * that should be bounded either ends under the caps or fails the test; it cannot hang the run or eat the machine.
 */
export function boundedNode(cwd: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): BoundedRun {
  if (reporter === undefined) {
    reporter = join(mkdtempSync(join(tmpdir(), "llmops-bounded-")), "report-rss.cjs");
    writeFileSync(reporter, 'process.on("exit", () => process.stderr.write(`\\nMAX_RSS_KB ${process.resourceUsage().maxRSS}\\n`));\n');
  }
  const result = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MEGABYTES}`, "--require", reporter, ...args], {
    cwd,
    encoding: "utf8",
    env: cleanEnvironment(env),
    timeout: KILL_AFTER_MILLIS,
    killSignal: "SIGKILL",
  });
  const out = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  const rss = /MAX_RSS_KB (\d+)/.exec(out)?.[1];
  return { code: result.status, killed: result.signal === "SIGKILL", out, maxRssKb: rss === undefined ? Number.POSITIVE_INFINITY : Number(rss) };
}
