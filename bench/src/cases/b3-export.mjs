// B3: export throughput. N spans made directly with the setup's tracer, in one synchronous burst and in a loop that
// yields to the event loop every few spans, into a loopback OTLP sink. Delivered spans are counted at the sink;
// dropped = made − delivered (measured, never guessed); llmops's own `stats()` are recorded when core has them.
import { startSink } from "../sink.mjs";
import { BENCH_ROOT, childEnvironment, format, rotate, runChild, settle, spread, summarize, table } from "../lib.mjs";
import { SETUPS } from "../setups.mjs";

const B3_SETUPS = ["llmops", "otel-hand"];
const MODES = ["burst", "yield"];

async function runOnce(setup, mode, { spans, yieldEvery, execPath }) {
  const sink = await startSink();
  try {
    const child = await runChild({
      args: ["b3", setup],
      execPath,
      env: childEnvironment({ BENCH_SINK_URL: sink.url, BENCH_APP_ROOT: BENCH_ROOT, BENCH_SPANS: String(spans), BENCH_MODE: mode, BENCH_YIELD_EVERY: String(yieldEvery) }),
    });
    const error = child.messages.find((message) => message.type === "error");
    const result = child.messages.find((message) => message.type === "result")?.result;
    if (error !== undefined || result === undefined) return { setup, mode, failed: error?.error ?? `child exited ${child.code ?? child.signal}: ${child.stderr.slice(-1500)}` };
    const total = await settle(sink, { quietMillis: 1000, timeoutMillis: 30_000 });
    const delivered = total - result.warmupSpans;
    const dropped = spans - delivered;
    return {
      setup,
      mode,
      spans,
      delivered,
      dropped,
      deliveredPerSecond: delivered / (result.totalMillis / 1000),
      madePerSecond: spans / (result.loopMillis / 1000),
      cpuMicrosPerSpan: result.cpuMicros / spans,
      loopMillis: result.loopMillis,
      totalMillis: result.totalMillis,
      exportRequests: sink.counts.requests,
      flush: result.flush,
      stats: result.stats,
      statsBefore: result.statsBefore,
      llmopsReportedDrops:
        result.stats === undefined
          ? undefined
          : (result.stats.spansDroppedQueueFull ?? 0) + (result.stats.spansFailedExport ?? 0) - ((result.statsBefore?.spansDroppedQueueFull ?? 0) + (result.statsBefore?.spansFailedExport ?? 0)),
      warnings: child.stderr.trim().slice(0, 1500) || undefined,
      maxRssKb: result.maxRssKb,
    };
  } finally {
    await sink.close();
  }
}

export async function runB3({ rounds, spans, yieldEvery, execPath, log }) {
  const runs = [];
  const combos = B3_SETUPS.flatMap((setup) => MODES.map((mode) => [setup, mode]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [setup, mode] of rotate(combos, round)) {
      const run = await runOnce(setup, mode, { spans, yieldEvery, execPath });
      run.round = round;
      runs.push(run);
      log(`B3 round ${round + 1}/${rounds} ${setup} ${mode}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `${format(run.delivered)} delivered, ${format(run.dropped)} dropped`}`);
    }
  }
  const summary = {};
  for (const [setup, mode] of combos) {
    const good = runs.filter((run) => run.setup === setup && run.mode === mode && !run.failed);
    summary[`${setup}/${mode}`] = {
      setup,
      mode,
      label: SETUPS[setup],
      rounds: rounds,
      completedRounds: good.length,
      failures: runs.filter((run) => run.setup === setup && run.mode === mode && run.failed).map((run) => run.failed),
      delivered: summarize(good.map((run) => run.delivered)),
      dropped: summarize(good.map((run) => run.dropped)),
      droppedPercent: summarize(good.map((run) => (100 * run.dropped) / run.spans)),
      deliveredPerSecond: summarize(good.map((run) => run.deliveredPerSecond)),
      cpuMicrosPerSpan: summarize(good.map((run) => run.cpuMicrosPerSpan)),
      llmopsReportedDrops: summarize(good.map((run) => run.llmopsReportedDrops).filter((value) => value !== undefined)),
      maxRssMb: summarize(good.map((run) => run.maxRssKb / 1024)),
      warnedAboutDrops: good.some((run) => run.warnings !== undefined && /drop/i.test(run.warnings)),
    };
  }
  return { spans, yieldEvery, rounds, summary, runs };
}

export function b3Tables(result) {
  const rows = Object.values(result.summary).map((entry) => {
    if (entry.completedRounds === 0) return [entry.label, entry.mode, `FAILED: ${(entry.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, "", "", "", "", "", ""];
    return [
      entry.label,
      entry.mode === "burst" ? "burst" : `yield every ${result.yieldEvery}`,
      spread(entry.delivered),
      `${spread(entry.dropped)} (${format(entry.droppedPercent?.median, 1)} %)`,
      entry.llmopsReportedDrops === undefined ? "no counter" : spread(entry.llmopsReportedDrops),
      entry.warnedAboutDrops ? "yes" : "no",
      spread(entry.deliveredPerSecond),
      spread(entry.cpuMicrosPerSpan, 2),
      spread(entry.maxRssMb),
    ];
  });
  return `B3 export: ${format(result.spans)} spans into a loopback OTLP sink, ${result.rounds} rounds; median (min–max)\n\n${table(
    ["setup", "loop", "delivered", "dropped (made − delivered at sink)", "drops the setup itself reported (stats())", "warned", "delivered spans/s", "CPU µs/span", "max RSS MB (peak)"],
    rows,
  )}`;
}
