// B1: the real openai client against an in-process canned fetch, N calls after warm-up, per setup, in fresh
// processes, interleaved across rounds. A figure counts only when the sink (or, for the breakdown setups that do not
// export, the setup's own end of pipeline) received exactly one span per call.
import { startSink } from "../sink.mjs";
import { BENCH_ROOT, childEnvironment, format, ratio, rotate, runChild, settle, spread, summarize, table } from "../lib.mjs";
import { SETUPS } from "../setups.mjs";

export const B1_SETUPS = ["none", "llmops", "phoenix-otel", "openllmetry", "otel-hand", "llmops-spans", "llmops-discard"];
const PEERS = ["none", "llmops", "phoenix-otel", "openllmetry", "otel-hand"];
const SPANS_PER_CALL = 1;

async function runOnce(setup, { calls, warmup, execPath }) {
  const sink = await startSink();
  try {
    const child = await runChild({
      args: ["b1", setup],
      execPath,
      env: childEnvironment({ BENCH_SINK_URL: sink.url, BENCH_APP_ROOT: BENCH_ROOT, BENCH_CALLS: String(calls), BENCH_WARMUP: String(warmup) }),
    });
    const error = child.messages.find((message) => message.type === "error");
    const result = child.messages.find((message) => message.type === "result")?.result;
    if (error !== undefined || result === undefined) {
      return { setup, failed: error?.error ?? `child exited ${child.code ?? child.signal} without a result. ${child.stderr.slice(-2000)}` };
    }
    const expected = setup === "none" ? 0 : (warmup + calls) * SPANS_PER_CALL;
    const local = setup === "llmops-spans" || setup === "llmops-discard";
    const delivered = local ? result.localCount : await settle(sink, { quietMillis: 300, timeoutMillis: 10_000 });
    const verified = delivered === expected;
    const microsPerCall = (result.totalMillis * 1000) / calls;
    const cpuMicrosPerCall = result.cpuMicros / calls;
    return {
      setup,
      verified,
      failed: verified ? undefined : `${local ? "pipeline end" : "sink"} received ${delivered} of ${expected} spans (flush: ${JSON.stringify(result.flush)})`,
      expectedSpans: expected,
      deliveredSpans: delivered,
      deliveredAt: local ? "in-process end of pipeline" : "loopback OTLP sink",
      microsPerCall,
      loopMicrosPerCall: (result.loopMillis * 1000) / calls,
      cpuMicrosPerCall,
      flushMillis: result.flush?.millis,
      stats: result.stats,
      maxRssKb: result.maxRssKb,
      stderr: child.stderr.trim().slice(0, 500) || undefined,
    };
  } finally {
    await sink.close();
  }
}

/** Runs B1 on one Node binary. */
export async function runB1({ rounds, calls, warmup, execPath, nodeVersion, log }) {
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const setup of rotate(B1_SETUPS, round)) {
      const run = await runOnce(setup, { calls, warmup, execPath });
      run.round = round;
      runs.push(run);
      log(`B1 ${nodeVersion} round ${round + 1}/${rounds} ${setup}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `${format(run.microsPerCall)} µs/call`}`);
    }
  }
  // Paired per round with "none" from the same round, so drift between rounds cancels out.
  const noneByRound = new Map(runs.filter((run) => run.setup === "none" && !run.failed).map((run) => [run.round, run]));
  const summary = {};
  for (const setup of B1_SETUPS) {
    const mine = runs.filter((run) => run.setup === setup);
    const good = mine.filter((run) => !run.failed);
    const failures = mine.filter((run) => run.failed).map((run) => run.failed);
    summary[setup] = {
      label: SETUPS[setup],
      rounds: mine.length,
      verifiedRounds: good.length,
      failures,
      microsPerCall: summarize(good.map((run) => run.microsPerCall)),
      cpuMicrosPerCall: summarize(good.map((run) => run.cpuMicrosPerCall)),
      overheadMicros: summarize(good.filter((run) => noneByRound.has(run.round)).map((run) => run.microsPerCall - noneByRound.get(run.round).microsPerCall)),
      cpuOverheadMicros: summarize(good.filter((run) => noneByRound.has(run.round)).map((run) => run.cpuMicrosPerCall - noneByRound.get(run.round).cpuMicrosPerCall)),
      stats: good.at(-1)?.stats,
    };
  }
  return { nodeVersion, calls, warmup, rounds, summary, runs };
}

function row(setup, entry, base, llmops) {
  if (entry.verifiedRounds === 0) return [entry.label, `FAILED: ${(entry.failures[0] ?? "no run").split("\n")[0].slice(0, 160)}`, "", "", "", "", "", ""];
  const failedNote = entry.failures.length > 0 ? ` (${entry.failures.length} round(s) FAILED)` : "";
  return [
    entry.label + failedNote,
    spread(entry.microsPerCall),
    setup === "none" ? "–" : spread(entry.overheadMicros),
    spread(entry.cpuMicrosPerCall),
    setup === "none" ? "–" : spread(entry.cpuOverheadMicros),
    ratio(entry.microsPerCall?.median, base?.microsPerCall?.median),
    setup === "none" || setup === "llmops" ? "–" : ratio(entry.overheadMicros?.median, llmops?.overheadMicros?.median),
    `${entry.verifiedRounds}/${entry.rounds}`,
  ];
}

export function b1Tables(result) {
  const { summary } = result;
  const headers = ["setup", "wall µs/call", "wall overhead µs/call", "CPU µs/call", "CPU overhead µs/call", "× no tracing (wall)", "wall overhead ÷ llmops's", "verified rounds"];
  const main = table(
    headers,
    PEERS.map((setup) => row(setup, summary[setup], summary.none, summary.llmops)),
  );
  const breakdownRows = ["llmops-spans", "llmops-discard", "llmops"].map((setup) => row(setup, summary[setup], summary.none, summary.llmops));
  const steps = [];
  const o = (setup) => summary[setup]?.overheadMicros?.median;
  const c = (setup) => summary[setup]?.cpuOverheadMicros?.median;
  if (o("llmops-spans") !== undefined && o("llmops-discard") !== undefined && o("llmops") !== undefined) {
    steps.push(
      table(
        ["step", "wall µs/call", "CPU µs/call"],
        [
          ["instrumentation, async context, span creation and end (a)", format(o("llmops-spans")), format(c("llmops-spans"))],
          ["batch processor + llmops's reporting exporter wrapper (b − a)", format(o("llmops-discard") - o("llmops-spans")), format(c("llmops-discard") - c("llmops-spans"))],
          ["protobuf encoding + OTLP/HTTP export to loopback (c − b)", format(o("llmops") - o("llmops-discard")), format(c("llmops") - c("llmops-discard"))],
          ["total llmops overhead (c)", format(o("llmops")), format(c("llmops"))],
        ],
      ),
    );
  }
  return {
    main: `B1 per call, Node ${result.nodeVersion}: ${format(result.calls)} calls after ${format(result.warmup)} warm-up, ${result.rounds} rounds; median (min–max)\n\n${main}`,
    breakdown: `B1 breakdown of llmops's overhead, Node ${result.nodeVersion} (medians of per-round differences to no tracing)\n\n${table(headers, breakdownRows)}\n\n${steps.join("\n")}`,
  };
}
