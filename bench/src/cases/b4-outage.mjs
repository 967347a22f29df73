// B4: the sink goes down for a while under a steady load of openai calls, then comes back. Per setup (each in its own
// process with its own sink, all running at once): RSS over time, calls that failed in user code, spans made vs
// delivered (dropped = made − delivered at the sink), how long forceFlush() takes while the sink is down and what it
// returns, and whether spans flow again after the sink is back.
import { startSink } from "../sink.mjs";
import { BENCH_ROOT, childEnvironment, format, runChild, settle, sleep, table } from "../lib.mjs";
import { SETUPS } from "../setups.mjs";

const B4_SETUPS = ["llmops", "phoenix-otel", "openllmetry", "otel-hand"];

async function runOne(setup, { outageSeconds, warmSeconds, recoverySeconds, rate, flushTimeoutMillis, execPath, log }) {
  const sink = await startSink();
  const samples = [];
  const marks = {};
  let started;
  let child;
  const waiters = new Map();
  const waitFor = (type) => new Promise((resolve) => waiters.set(type, resolve));
  const elapsed = () => (Date.now() - started) / 1000;
  const finished = runChild({
    args: ["b4", setup],
    execPath,
    timeoutMillis: (warmSeconds + outageSeconds + recoverySeconds + 300) * 1000,
    env: childEnvironment({ BENCH_SINK_URL: sink.url, BENCH_APP_ROOT: BENCH_ROOT, BENCH_RATE: String(rate) }),
    onMessage: (message, handle) => {
      child = handle;
      if (message.type === "sample")
        samples.push({ t: elapsed(), phase: marks.phase, calls: message.calls, rssMb: message.rss / 2 ** 20, heapUsedMb: message.heapUsed / 2 ** 20, spansAtSink: sink.counts.spans });
      waiters.get(message.type)?.(message);
    },
  });
  const ready = await Promise.race([waitFor("ready"), finished.then(() => undefined)]);
  if (ready === undefined) {
    const result = await finished;
    return { setup, failed: result.messages.find((message) => message.type === "error")?.error ?? `child exited: ${result.stderr.slice(-1500)}` };
  }
  started = Date.now();
  marks.phase = "warm";
  await sleep(warmSeconds * 1000);
  const beforeOutage = await mark(child, waitFor, "down");
  const spansAtSinkBeforeOutage = await settle(sink, { quietMillis: 200, timeoutMillis: 2000 });
  await sink.down();
  marks.phase = "down";
  marks.downAt = elapsed();
  log(`B4 ${setup}: sink down at ${format(marks.downAt)} s`);
  await sleep(outageSeconds * 1000);
  child.send({ type: "flush", timeoutMillis: flushTimeoutMillis });
  const flushWhileDown = await waitFor("flushed");
  await sink.restart();
  marks.phase = "recovery";
  marks.upAt = elapsed();
  const restartedAt = Number(process.hrtime.bigint()) / 1e6;
  const spansAtSinkAtRestart = sink.counts.spans;
  const atRestart = await mark(child, waitFor, "up");
  log(`B4 ${setup}: forceFlush while down ${flushWhileDown.flush.settled} after ${format(flushWhileDown.flush.millis)} ms; sink up at ${format(marks.upAt)} s`);
  await sleep(recoverySeconds * 1000);
  child.send({ type: "stop" });
  const stopped = await waitFor("stopped");
  await finished;
  const delivered = await settle(sink, { quietMillis: 1000, timeoutMillis: 20_000 });
  await sink.close();
  const firstArrivalAfterRestart = sink.counts.arrivals.find(([at]) => at >= restartedAt);
  const baseline = samples.filter((sample) => sample.phase === "warm").at(-1)?.rssMb;
  const outageSamples = samples.filter((sample) => sample.phase === "down");
  const peakDuringOutage = Math.max(...outageSamples.map((sample) => sample.rssMb));
  const endOfRun = samples.at(-1)?.rssMb;
  const callsAfterRestart = stopped.calls - atRestart.calls;
  const deliveredAfterRestart = delivered - spansAtSinkAtRestart;
  return {
    setup,
    rate,
    calls: stopped.calls,
    callsDuringOutage: flushWhileDown.callsAtFlush - beforeOutage.calls,
    failedCalls: stopped.failedCalls,
    callErrors: stopped.errors,
    uncaught: stopped.uncaught,
    delivered,
    dropped: stopped.calls - delivered,
    spansAtSinkBeforeOutage,
    llmopsStats: stopped.stats,
    flushWhileDown: flushWhileDown.flush,
    finalFlush: stopped.flush,
    rssMb: { beforeOutage: baseline, peakDuringOutage, growthDuringOutage: peakDuringOutage - baseline, endOfRun },
    recovery: {
      firstDeliveryAfterRestartMillis: firstArrivalAfterRestart === undefined ? undefined : firstArrivalAfterRestart[0] - restartedAt,
      callsAfterRestart,
      deliveredAfterRestart,
      recovered: firstArrivalAfterRestart !== undefined && deliveredAfterRestart >= callsAfterRestart,
    },
    marks,
    samples,
  };
}

async function mark(child, waitFor, name) {
  child.send({ type: "mark", name });
  return waitFor("marked");
}

export async function runB4({ outageSeconds, warmSeconds, recoverySeconds, flushTimeoutMillis, execPath, log }) {
  const rate = Math.min(100, Math.ceil(20_000 / outageSeconds));
  log(`B4: ${B4_SETUPS.join(", ")} at once, ${rate} calls/s each; sink down for ${outageSeconds} s after ${warmSeconds} s, then up for ${recoverySeconds} s`);
  const results = await Promise.all(B4_SETUPS.map((setup) => runOne(setup, { outageSeconds, warmSeconds, recoverySeconds, rate, flushTimeoutMillis, execPath, log })));
  return { outageSeconds, warmSeconds, recoverySeconds, rate, flushTimeoutMillis, results };
}

function describeFlush(flush) {
  if (flush === undefined) return "–";
  const value = typeof flush.value === "object" && flush.value !== null ? JSON.stringify({ ok: flush.value.ok, timedOut: flush.value.timedOut, error: flush.value.error }) : String(flush.value);
  return `${flush.settled} after ${format(flush.millis / 1000, 1)} s: ${value.slice(0, 140).replace(/\|/g, "/")}`;
}

export function b4Tables(result) {
  const rows = result.results.map((entry) => {
    const label = SETUPS[entry.setup];
    if (entry.failed) return [label, `FAILED: ${entry.failed.split("\n")[0].slice(0, 160)}`, "", "", "", "", "", ""];
    return [
      label,
      `${format(entry.rssMb.beforeOutage)} → ${format(entry.rssMb.peakDuringOutage)} (+${format(entry.rssMb.growthDuringOutage)})`,
      `${format(entry.failedCalls)}${entry.uncaught.length > 0 ? `, ${entry.uncaught.length} uncaught` : ""}`,
      `${format(entry.calls)} / ${format(entry.delivered)} / ${format(entry.dropped)}`,
      entry.llmopsStats === undefined ? "no counter" : `failed export ${format(entry.llmopsStats.spansFailedExport)}, queue full ${format(entry.llmopsStats.spansDroppedQueueFull)}`,
      describeFlush(entry.flushWhileDown),
      `${entry.recovery.recovered ? "yes" : "NO"}: first delivery ${format(entry.recovery.firstDeliveryAfterRestartMillis)} ms after restart; ${format(entry.recovery.deliveredAfterRestart)} delivered for ${format(entry.recovery.callsAfterRestart)} calls after`,
      describeFlush(entry.finalFlush),
    ];
  });
  return `B4 outage: sink down ${result.outageSeconds} s under ${result.rate} calls/s (after ${result.warmSeconds} s up; ${result.recoverySeconds} s up after), setups side by side\n\n${table(
    [
      "setup",
      "RSS MB before → peak in outage (growth)",
      "calls failed in user code",
      "spans made / delivered / dropped",
      "drops the setup reported (stats())",
      "forceFlush() while down",
      "recovery",
      "final forceFlush() (sink up)",
    ],
    rows,
  )}`;
}
