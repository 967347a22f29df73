// B5: what trace() costs per call. A no-op and an async function wrapped by llmops's trace(), Phoenix's
// traceChain() and OpenLLMetry's withTask(), against the same call untraced and llmops's trace() with tracing off;
// each setup in fresh processes, interleaved across rounds. Every tracing setup ends its spans in an in-process
// exporter that counts and discards (behind the SDK's batch processor), so the figure is the wrapper and its span,
// not export; a figure counts only when that exporter was handed exactly one span per call.
import { BENCH_ROOT, childEnvironment, format, rotate, runChild, spread, summarize, table } from "../lib.mjs";
import { TRACE_SETUPS } from "../setups.mjs";

export const B5_SETUPS = ["none", "llmops-off", "llmops-trace", "phoenix-trace", "openllmetry-trace"];
const PEERS = ["phoenix-trace", "openllmetry-trace"];
const TRACING = new Set(["llmops-trace", ...PEERS]);
const FUNCTIONS = 2;

async function runOnce(setup, { calls, warmup, execPath }) {
  const child = await runChild({
    args: ["b5", setup],
    execPath,
    env: childEnvironment({ BENCH_APP_ROOT: BENCH_ROOT, BENCH_CALLS: String(calls), BENCH_WARMUP: String(warmup) }),
  });
  const error = child.messages.find((message) => message.type === "error");
  const result = child.messages.find((message) => message.type === "result")?.result;
  if (error !== undefined || result === undefined) return { setup, failed: error?.error ?? `child exited ${child.code ?? child.signal} without a result. ${child.stderr.slice(-2000)}` };
  const expected = TRACING.has(setup) ? (warmup + calls) * FUNCTIONS : undefined;
  const verified = result.spans === expected;
  return {
    setup,
    verified,
    failed: verified ? undefined : `the exporter was handed ${result.spans} spans, ${expected ?? "none"} expected`,
    expectedSpans: expected,
    exportedSpans: result.spans,
    noopNanosPerCall: result.noopNanosPerCall,
    asyncNanosPerCall: result.asyncNanosPerCall,
    maxRssKb: result.maxRssKb,
    stderr: child.stderr.trim().slice(0, 500) || undefined,
  };
}

export async function runB5({ rounds, calls, warmup, execPath, log }) {
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const setup of rotate(B5_SETUPS, round)) {
      const run = await runOnce(setup, { calls, warmup, execPath });
      run.round = round;
      runs.push(run);
      log(
        `B5 round ${round + 1}/${rounds} ${setup}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `no-op ${format(run.noopNanosPerCall)} ns, async ${format(run.asyncNanosPerCall)} ns per call`}`,
      );
    }
  }
  const summary = {};
  for (const setup of B5_SETUPS) {
    const good = runs.filter((run) => run.setup === setup && !run.failed);
    summary[setup] = {
      label: TRACE_SETUPS[setup],
      completedRounds: good.length,
      failures: runs.filter((run) => run.setup === setup && run.failed).map((run) => run.failed),
      noopNanosPerCall: summarize(good.map((run) => run.noopNanosPerCall)),
      asyncNanosPerCall: summarize(good.map((run) => run.asyncNanosPerCall)),
    };
  }
  return { calls, warmup, rounds, summary, runs };
}

/** Median overhead over the untraced call, in ns, of `setup` for `key` (noopNanosPerCall or asyncNanosPerCall). */
function overhead(summary, setup, key) {
  const base = summary.none?.[key]?.median;
  const value = summary[setup]?.[key]?.median;
  return base === undefined || value === undefined ? undefined : value - base;
}

export function b5Tables(result) {
  const { summary } = result;
  const fastestPeer = (key) => Math.min(...PEERS.map((setup) => overhead(summary, setup, key)).filter((value) => value !== undefined));
  const versusPeer = (setup, key) => {
    if (!TRACING.has(setup)) return "";
    const fastest = fastestPeer(key);
    const own = overhead(summary, setup, key);
    return own === undefined || !Number.isFinite(fastest) || fastest <= 0 ? "–" : `${format(own / fastest, 2)}×`;
  };
  const rows = B5_SETUPS.map((setup) => {
    const entry = summary[setup];
    if (entry === undefined || entry.completedRounds === 0) return [TRACE_SETUPS[setup], `FAILED: ${(entry?.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, "", "", "", "", ""];
    const cells = [TRACE_SETUPS[setup]];
    for (const key of ["noopNanosPerCall", "asyncNanosPerCall"]) {
      const extra = overhead(summary, setup, key);
      cells.push(spread(entry[key]), setup === "none" ? "" : `${format(extra)} ns`, versusPeer(setup, key));
    }
    return cells;
  });
  return `B5 trace() per call: ${format(result.calls)} calls after ${format(result.warmup)} warm-up, ${result.rounds} rounds; ns per call, median (min–max); spans end in an in-process exporter that counts and discards (batch processor, no export)\n\n${table(
    ["setup", "no-op ns/call", "no-op overhead", "no-op overhead ÷ fastest peer's", "async ns/call", "async overhead", "async overhead ÷ fastest peer's"],
    rows,
  )}`;
}
