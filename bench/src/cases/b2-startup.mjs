// B2: start-up in fresh processes, in an app whose node_modules holds 1,000 packages: `import "@llmops/core"` alone,
// and time to a ready setup (tracing started, openai loaded, client built) for each setup; peak memory (max RSS).
import { startSink } from "../sink.mjs";
import { ensureStartupFixture } from "../fixture.mjs";
import { childEnvironment, format, ratio, rotate, runProcess, settle, spread, summarize, table } from "../lib.mjs";
import { SETUPS } from "../setups.mjs";

const MODES = ["import-core", "none", "llmops", "phoenix-otel", "openllmetry", "otel-hand"];

async function runOnce(mode, { root, execPath }) {
  const sink = await startSink();
  try {
    const child = await runProcess({ command: execPath, args: ["app.mjs", mode], cwd: root, env: childEnvironment({ BENCH_SINK_URL: sink.url }) });
    const line = child.stdout.trim().split("\n").at(-1);
    let result;
    try {
      result = JSON.parse(line);
    } catch {
      return { mode, failed: `exit ${child.code ?? child.signal}, no result: ${child.stderr.slice(-1000)}` };
    }
    const expected = mode === "import-core" || mode === "none" ? 0 : 1;
    const delivered = await settle(sink, { quietMillis: 200, timeoutMillis: 5_000 });
    const verified = delivered === expected;
    return {
      mode,
      ...result,
      verified,
      deliveredSpans: delivered,
      failed: verified ? undefined : `sink received ${delivered} of ${expected} spans (flush: ${JSON.stringify(result.flush)})`,
      stderr: child.stderr.trim().slice(0, 500) || undefined,
    };
  } finally {
    await sink.close();
  }
}

export async function runB2({ rounds, execPath, log }) {
  const fixture = ensureStartupFixture();
  // One unmeasured pass warms the file system cache, as a deployed app's second start would be.
  for (const mode of MODES) await runOnce(mode, { root: fixture.root, execPath });
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of rotate(MODES, round)) {
      const run = await runOnce(mode, { root: fixture.root, execPath });
      run.round = round;
      runs.push(run);
      log(`B2 round ${round + 1}/${rounds} ${mode}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `ready at ${format(run.readyMillis)} ms`}`);
    }
  }
  const noneByRound = new Map(runs.filter((run) => run.mode === "none" && !run.failed).map((run) => [run.round, run]));
  const summary = {};
  for (const mode of MODES) {
    const mine = runs.filter((run) => run.mode === mode);
    const good = mine.filter((run) => !run.failed);
    summary[mode] = {
      label: mode === "import-core" ? 'import "@llmops/core"' : SETUPS[mode],
      rounds: mine.length,
      verifiedRounds: good.length,
      failures: mine.filter((run) => run.failed).map((run) => run.failed),
      importMillis: summarize(good.map((run) => run.importMillis)),
      readyMillis: summarize(good.map((run) => run.readyMillis)),
      overReadyMillis: summarize(good.filter((run) => noneByRound.has(run.round)).map((run) => run.readyMillis - noneByRound.get(run.round).readyMillis)),
      firstExportMillis: summarize(good.map((run) => run.firstExportMillis)),
      maxRssMb: summarize(good.map((run) => run.maxRssKb / 1024)),
      maxRssMbAfterFirstCall: summarize(good.map((run) => run.maxRssKbAfterFirstCall / 1024)),
    };
  }
  return { packagesInNodeModules: fixture.packages, rounds, summary, runs };
}

export function b2Tables(result) {
  const { summary } = result;
  const core = summary["import-core"];
  const rows = ["none", "llmops", "phoenix-otel", "openllmetry", "otel-hand"].map((mode) => {
    const entry = summary[mode];
    if (entry.verifiedRounds === 0) return [entry.label, `FAILED: ${(entry.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, "", "", "", "", "", ""];
    return [
      entry.label,
      spread(entry.readyMillis),
      mode === "none" ? "–" : spread(entry.overReadyMillis),
      mode === "none" || mode === "llmops" ? "–" : ratio(entry.overReadyMillis?.median, summary.llmops?.overReadyMillis?.median),
      entry.firstExportMillis?.median === undefined ? "–" : spread(entry.firstExportMillis),
      spread(entry.maxRssMb),
      ratio(entry.maxRssMb?.median, summary.none?.maxRssMb?.median),
      `${entry.verifiedRounds}/${entry.rounds}`,
    ];
  });
  const importLine =
    core.verifiedRounds > 0
      ? `\`import "@llmops/core"\`: ${spread(core.importMillis, 1)} ms; process ready at ${spread(core.readyMillis)} ms; max RSS ${spread(core.maxRssMb)} MB`
      : `import "@llmops/core": FAILED ${core.failures[0]}`;
  return `B2 start-up, fresh processes, app with ${format(result.packagesInNodeModules)} packages in node_modules, ${result.rounds} rounds; median (min–max)\n\n${importLine}\n\n${table(
    ["setup", "ready at ms (since process start)", "over no tracing ms", "over-time ÷ llmops's", "ready → first call's span exported ms", "max RSS at ready MB", "× no tracing", "verified rounds"],
    rows,
  )}`;
}
